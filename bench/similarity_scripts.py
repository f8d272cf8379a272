"""Near-duplicate index (core/similarity.py) with CJK character pairs: cost of the
preprocessing against plain lower-casing, on 5,000 petition-like texts (half English, half
Chinese titles of 10 characters), and how often a reworded Chinese title finds its original;
then the index against the scikit-learn one it replaced (issue 12): fit and query times, and
the first request of a fresh process (import + fit + query), which is what a citizen waits
for when writing the first statement after a restart.

    python bench/similarity_scripts.py
"""
from __future__ import annotations

import random
import statistics
import subprocess
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


class HashedIndex:
    """The index before issue 12: scikit-learn's hashed n-grams, imported on first use."""

    def __init__(self, candidates):
        from sklearn.feature_extraction.text import HashingVectorizer, TfidfTransformer

        self.ids = tuple(pid for pid, _ in candidates)
        self._counts = HashingVectorizer(analyzer="char_wb", ngram_range=(3, 5),
                                         preprocessor=similarity.comparable_text,
                                         n_features=2**20, alternate_sign=False, norm=None)
        self._tfidf = TfidfTransformer(sublinear_tf=True)
        self._matrix = self._tfidf.fit_transform(
            self._counts.transform([text for _, text in candidates]))

    def similar(self, query, *, limit=5, min_score=0.2):
        vector = self._tfidf.transform(self._counts.transform([query]))
        scores = (self._matrix @ vector.T).toarray().ravel()
        ranked = sorted((i for i, score in enumerate(scores) if score >= min_score),
                        key=lambda i: (-scores[i], self.ids[i]))
        return [(self.ids[i], round(float(scores[i]), 3)) for i in ranked[:limit]]


FIRST_REQUEST = """
import sys, time
started = time.perf_counter()
sys.path.insert(0, {root!r}); sys.path.insert(0, {bench!r})
{setup}
index = Index([(1, "Fix the potholes on Main Street"), (2, "修補中山公園的遮陽棚"),
               (3, "Free swimming lessons for children")])
index.similar("potholes on main street")
print(time.perf_counter() - started)
"""


def first_request(setup: str) -> float:
    """Seconds from a fresh interpreter to the first answer, median of 3 processes."""
    here = Path(__file__).resolve().parent
    code = FIRST_REQUEST.format(root=str(here.parent), bench=str(here), setup=setup)
    return statistics.median(
        float(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                             check=True).stdout) for _ in range(3))


def main() -> None:
    HashedIndex([(0, "warm up")])  # scikit-learn's import is not the fit's cost
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
    hashed = timed(HashedIndex, texts, queries)
    print(f"{'sklearn':<10} {hashed[0]:7.2f}   {hashed[1]:.4f}             {hashed[2]:4.0%}"
          f"                    {hashed[3]:.3f}   (hashed, before issue 12)")
    new = first_request("from core.similarity import SimilarityIndex as Index")
    old = first_request("from similarity_scripts import HashedIndex as Index")
    print(f"first request in a fresh process (import + fit + query): numpy {new:.2f} s, "
          f"scikit-learn {old:.2f} s")


if __name__ == "__main__":
    main()
