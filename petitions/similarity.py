"""Near-duplicate petitions (pure): TF-IDF over titles and text, cosine similarity.

Suggested while a citizen writes a new petition, so supporters gather on one petition
(EP rejects duplicates; docs/civic-platforms.md §1 "Moderation queue").
"""
from __future__ import annotations


def similar_texts(query: str, candidates: list[tuple[int, str]], *, limit: int = 5,
                  min_score: float = 0.2) -> list[tuple[int, float]]:
    """Ids of the candidates most similar to `query`, best first, with scores in [0, 1].

    `candidates` are (id, text) pairs. Features are character 3-5-grams within words, so
    plurals, small spelling differences and unsegmented Chinese text still match.
    """
    if limit < 1:
        raise ValueError("limit must be at least 1")
    if not query.strip() or not candidates:
        return []
    # Imported here: scikit-learn takes seconds to import and only this page needs it.
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.metrics.pairwise import linear_kernel

    texts = [text for _, text in candidates]
    vectorizer = TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True,
                                 lowercase=True)
    matrix = vectorizer.fit_transform([*texts, query])
    scores = linear_kernel(matrix[-1], matrix[:-1]).ravel()  # rows are L2-normalised
    ranked = sorted(range(len(texts)), key=lambda i: (-scores[i], candidates[i][0]))
    return [(candidates[i][0], round(float(scores[i]), 3)) for i in ranked[:limit]
            if scores[i] >= min_score]
