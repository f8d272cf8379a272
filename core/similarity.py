"""Near-duplicate texts (pure): TF-IDF over titles and text, cosine similarity.

Shared by every domain: suggested while a citizen writes a petition, a budget proposal or a
statement, so supporters gather on one item
(EP rejects duplicates; docs/civic-platforms.md §1 "Moderation queue").
"""
from __future__ import annotations

import re

# Hashed features: no vocabulary to hold in memory, and an n-gram that no candidate has still
# weighs in the query (at the highest IDF, its bucket's document frequency being 0), so a
# query is not judged similar just because the few n-grams it shares are all that is counted.
N_FEATURES = 2**20
# Han, kana and hangul: written without spaces, about one word or morpheme per character.
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


class SimilarityIndex:
    """TF-IDF of a fixed set of candidate texts, fitted once and queried many times.

    Fitting thousands of texts takes a second; a query takes milliseconds, so callers keep an
    index while its candidates (`ids`) are unchanged (see queries.duplicate_suggestions).
    Features are character 3-5-grams within words, so plurals and small spelling differences
    still match; unsegmented CJK text is compared by character pairs (`comparable_text`).
    """

    def __init__(self, candidates: list[tuple[int, str]]):
        """`candidates` are (id, text) pairs."""
        self.ids = tuple(pid for pid, _ in candidates)
        if not candidates:
            return
        # Imported here: scikit-learn takes seconds to import and only this page needs it.
        from sklearn.feature_extraction.text import HashingVectorizer, TfidfTransformer

        self._counts = HashingVectorizer(analyzer="char_wb", ngram_range=(3, 5),
                                         preprocessor=comparable_text, n_features=N_FEATURES,
                                         alternate_sign=False, norm=None)
        self._tfidf = TfidfTransformer(sublinear_tf=True)  # rows L2-normalised
        self._matrix = self._tfidf.fit_transform(
            self._counts.transform([text for _, text in candidates]))

    def similar(self, query: str, *, limit: int = 5,
                min_score: float = 0.2) -> list[tuple[int, float]]:
        """Ids of the candidates most similar to `query`, best first, with scores in [0, 1]."""
        if limit < 1:
            raise ValueError("limit must be at least 1")
        if not query.strip() or not self.ids:
            return []
        vector = self._tfidf.transform(self._counts.transform([query]))
        scores = (self._matrix @ vector.T).toarray().ravel()
        ranked = sorted((i for i, score in enumerate(scores) if score >= min_score),
                        key=lambda i: (-scores[i], self.ids[i]))
        return [(self.ids[i], round(float(scores[i]), 3)) for i in ranked[:limit]]
