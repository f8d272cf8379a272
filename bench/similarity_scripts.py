"""Near-duplicate index (core/similarity.py) with CJK character pairs: cost of the
preprocessing against plain lower-casing, on 5,000 petition-like texts (half English, half
Chinese titles of 10 characters), and how often a reworded Chinese title finds its original.

    python bench/similarity_scripts.py
"""
from __future__ import annotations

import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from core import similarity  # noqa: E402
from core.similarity import SimilarityIndex  # noqa: E402

N = 5_000
ENGLISH = "repair road park school bus bike lane tree library pool light market bench".split()
HAN = "修補道路公園學校公車自行車道樹木圖書館游泳池路燈市場長椅中山信義大安松山萬華北投"


def corpus(seed: int = 7) -> list[tuple[int, str]]:
    rng = random.Random(seed)
    texts = []
    for i in range(N):
        if i % 2:
            texts.append((i, " ".join(rng.choices(ENGLISH, k=12))))
        else:
            texts.append((i, "".join(rng.choices(HAN, k=10))))  # a title
    return texts


def reworded(text: str, rng: random.Random) -> str:
    """A Chinese title retyped: a particle inserted, a character dropped further on."""
    k = rng.randrange(2, len(text) - 4)
    return text[:k] + "的" + text[k:k + 2] + text[k + 3:]


def timed(build, texts, queries) -> tuple[float, float, float, float]:
    started = time.perf_counter()
    index = build(texts)
    fit = time.perf_counter() - started
    times, found, scores = [], 0, []
    for pid, query in queries:
        started = time.perf_counter()
        hits = index.similar(query, limit=5)
        times.append(time.perf_counter() - started)
        found += any(hit == pid for hit, _ in hits)
        scores.append(dict(index.similar(query, limit=N, min_score=0.0)).get(pid, 0.0))
    return fit, statistics.median(times), found / len(queries), statistics.median(scores)


def main() -> None:
    SimilarityIndex([(0, "warm up")])  # scikit-learn's import is not the index's cost
    texts = corpus()
    rng = random.Random(11)
    queries = [(pid, reworded(text, rng)) for pid, text in rng.sample(texts[::2], 50)]
    pairs = timed(SimilarityIndex, texts, queries)
    plain = similarity.comparable_text
    similarity.comparable_text = str.lower  # the index as it was: no CJK pairs
    try:
        lowered = timed(SimilarityIndex, texts, queries)
    finally:
        similarity.comparable_text = plain
    print(f"{N} texts   fit s   query s (median)   reworded Chinese found   its score (median)")
    for name, (fit, query, found, score) in (("CJK pairs", pairs), ("lower only", lowered)):
        print(f"{name:<10} {fit:7.2f}   {query:.4f}             {found:4.0%}"
              f"                    {score:.3f}")


if __name__ == "__main__":
    main()
