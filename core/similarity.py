"""Near-duplicate texts (pure): TF-IDF over titles and text, cosine similarity.

Shared by every domain: suggested while a citizen writes a petition, a budget proposal or a
statement, so supporters gather on one item
(EP rejects duplicates; docs/civic-platforms.md §1 "Moderation queue").
"""
from __future__ import annotations

import re
from collections import Counter, OrderedDict
from functools import lru_cache
from itertools import chain

NGRAM_SIZES = range(3, 6)  # character n-grams within words
# Han, kana and hangul: written without spaces, about one word or morpheme per character.
_SPACES = re.compile(r"\s\s+")
_CJK_RUN = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]{2,}")


def _cjk_bigrams(run: re.Match) -> str:
    text = run.group(0)
    return " " + " ".join(text[i:i + 2] for i in range(len(text) - 1)) + " "


def comparable_text(text: str) -> str:
    """Lower-cased `text` with each run of Chinese/Japanese/Korean characters written as its
    overlapping character pairs ("中山公園" → "中山 山公 公園"): the usual way to index
    unsegmented CJK text, so "中山公園遮陽棚" meets "中山公園的遮陽棚" although no 3-character
    window of one spans the same characters as the other's around "的"."""
    return _CJK_RUN.sub(_cjk_bigrams, text.lower())

def char_ngrams(text: str) -> list[str]:
    """The character 3-5-grams of each word of `comparable_text(text)`, the word padded with a
    space on each side; a padded word shorter than an n-gram counts once, whole (scikit-learn's
    `analyzer="char_wb"`)."""
    grams: list[str] = []
    for word in _SPACES.sub(" ", comparable_text(text)).split():
        grams += _common_word_ngrams(word) if len(word) <= 16 else _word_ngrams(word)
    return grams


@lru_cache(maxsize=4096)  # a few MB at most: long words are not kept
def _common_word_ngrams(word: str) -> tuple[str, ...]:
    """Words recur (Zipf), so the n-grams of the frequent ones are cut once."""
    return _word_ngrams(word)


def _word_ngrams(word: str) -> tuple[str, ...]:
    word = f" {word} "
    size = len(word)
    grams: list[str] = []
    for n in NGRAM_SIZES:
        if size <= n:
            grams.append(word)  # the whole padded word, once
            break
        grams += [word[i:i + n] for i in range(size - n + 1)]
    return tuple(grams)


class SimilarityIndex:
    """TF-IDF of a fixed set of candidate texts, fitted once and queried many times.

    Features are character 3-5-grams within words (each word padded with a space), so plurals
    and small spelling differences still match; unsegmented CJK text is compared by character
    pairs (`comparable_text`). Weights are scikit-learn's `TfidfVectorizer(analyzer="char_wb",
    ngram_range=(3, 5), sublinear_tf=True)`: tf = 1 + ln(count), idf = ln((1 + n) / (1 + df))
    + 1, rows L2-normalised (tests/core/test_similarity.py checks the scores against it).
    Written with numpy alone: importing scikit-learn took seconds of CPU on the first statement
    or proposal written after a start (issue 12). An n-gram of the query that no candidate has
    still weighs in, at the highest IDF (df = 0), so a query is not judged similar just because
    the few n-grams it shares are all that is counted.

    Fitting thousands of texts takes a fraction of a second and a query milliseconds, so callers
    keep an index while its candidates (`ids`) are unchanged (see petitions.queries and
    deliberation.queries).
    """

    def __init__(self, candidates: list[tuple[int, str]]):
        """`candidates` are (id, text) pairs."""
        import numpy as np

        self.ids = tuple(pid for pid, _ in candidates)
        documents = [Counter(char_ngrams(text)) for _, text in candidates]
        grams = dict.fromkeys(chain.from_iterable(documents))  # in order of first appearance
        self._vocabulary = {gram: column for column, gram in enumerate(grams)}
        columns = np.fromiter(map(self._vocabulary.__getitem__, chain.from_iterable(documents)),
                              dtype=np.int64)
        counts = np.fromiter(chain.from_iterable(document.values() for document in documents),
                             dtype=np.float64, count=len(columns))
        rows = np.repeat(np.arange(len(documents)), [len(document) for document in documents])
        self._df = np.bincount(columns, minlength=len(self._vocabulary))
        self._idf = np.log((len(documents) + 1) / (self._df + 1.0)) + 1.0
        self._unseen_idf = float(np.log(len(documents) + 1.0) + 1.0)  # df = 0
        weights = (1.0 + np.log(counts)) * self._idf[columns]
        norms = np.sqrt(np.bincount(rows, weights=weights * weights, minlength=len(documents)))
        weights /= np.where(norms > 0, norms, 1.0)[rows]
        # Postings: for each n-gram (column), the candidates that have it and their weights.
        order = np.argsort(columns, kind="stable")
        self._posting_rows, self._posting_weights = rows[order], weights[order]
        self._starts = np.concatenate(([0], np.cumsum(self._df)[:-1])).astype(np.int64)

    def scores(self, query: str):
        """Cosine similarity of `query` to every candidate, in the order of `ids`."""
        import numpy as np

        counts = Counter(char_ngrams(query))
        known = [(self._vocabulary[gram], count) for gram, count in counts.items()
                 if gram in self._vocabulary]
        unseen = [count for gram, count in counts.items() if gram not in self._vocabulary]
        columns = np.asarray([column for column, _ in known], dtype=np.int64)
        weights = (1.0 + np.log(np.asarray([count for _, count in known], dtype=np.float64))
                   ) * self._idf[columns]
        unseen_weights = (1.0 + np.log(np.asarray(unseen, dtype=np.float64))) * self._unseen_idf
        norm = np.sqrt(weights @ weights + unseen_weights @ unseen_weights)
        if not norm:
            return np.zeros(len(self.ids))
        lengths = self._df[columns]
        offsets = np.repeat(self._starts[columns] - np.cumsum(lengths) + lengths, lengths)
        postings = np.arange(int(lengths.sum())) + offsets
        return np.bincount(self._posting_rows[postings],
                           weights=self._posting_weights[postings] * np.repeat(weights / norm,
                                                                                 lengths),
                           minlength=len(self.ids))

    def similar(self, query: str, *, limit: int = 5,
                min_score: float = 0.2) -> list[tuple[int, float]]:
        """Ids of the candidates most similar to `query`, best first, with scores in [0, 1]."""
        if limit < 1:
            raise ValueError("limit must be at least 1")
        if not query.strip() or not self.ids:
            return []
        scores = self.scores(query)
        ranked = sorted((i for i, score in enumerate(scores) if score >= min_score),
                        key=lambda i: (-scores[i], self.ids[i]))
        return [(self.ids[i], round(float(scores[i]), 3)) for i in ranked[:limit]]


_FITTED: OrderedDict = OrderedDict()  # (scope, candidates) → SimilarityIndex, most recent last
FITTED_KEPT = 32


def cached_index(scope: object, candidates: list[tuple[int, str]]) -> SimilarityIndex:
    """The index of `candidates`, fitted once and kept for the next requests while they are
    unchanged (ids and texts: an edited text or another database never meets a stale index);
    `scope` names the list (e.g. ("conversation", 7)). The last FITTED_KEPT lists are kept."""
    key = (scope, tuple(candidates))
    index = _FITTED.get(key)
    if index is None:
        index = _FITTED[key] = SimilarityIndex(candidates)
        while len(_FITTED) > FITTED_KEPT:
            _FITTED.popitem(last=False)
    else:
        _FITTED.move_to_end(key)
    return index
