"""The near-duplicate index (core/similarity.py) against scikit-learn's TfidfVectorizer, on real
statements from Polis conversations (English and Traditional Chinese) and petition-like titles."""
from __future__ import annotations

import csv
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from sklearn.feature_extraction.text import HashingVectorizer, TfidfTransformer, TfidfVectorizer

from core import similarity
from core.similarity import SimilarityIndex, cached_index, char_ngrams, comparable_text

ROOT = Path(__file__).resolve().parents[2]
POLIS = ROOT.parent / "shared" / "data" / "polis"
TITLES = ["Fix the potholes on Main Street", "Potholes on Main St. need fixing now!",
          "Free swimming lessons for children", "修補中山公園的遮陽棚", "中山公園遮陽棚",
          "More bike lanes on Xinyi Road", "信義路增設自行車道", "Bike lane   on\tXinyi  rd",
          "A", "ab", "Ab cd", "🚲 lanes 🚲", "שביל אופניים", "مسار للدراجات", "   ",
          "Antidisestablishmentarianism, see https://example.org/petitions/123"]


def polis_comments(name: str, limit: int) -> list[str]:
    with open(POLIS / name / "comments.csv", encoding="utf-8", newline="") as f:
        return [row["comment-body"] for row in csv.DictReader(f)][:limit]


def reference_scores(candidates: list[str], query: str) -> np.ndarray:
    """scikit-learn's TF-IDF with the index's settings; the vocabulary also holds the query's
    n-grams, so those no candidate has weigh in at df = 0 as they do in the index."""
    analyzer = TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5),
                               preprocessor=comparable_text).build_analyzer()
    vocabulary = sorted({gram for text in [*candidates, query] for gram in analyzer(text)})
    tfidf = TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), preprocessor=comparable_text,
                            sublinear_tf=True, vocabulary=vocabulary)
    matrix = tfidf.fit_transform(candidates)
    return (matrix @ tfidf.transform([query]).T).toarray().ravel()


@pytest.mark.parametrize("text", [*TITLES, *polis_comments("vtaiwan.uberx", 40)])
def test_the_n_grams_are_scikit_learns_char_wb(text):
    analyzer = TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5),
                               preprocessor=comparable_text).build_analyzer()
    assert char_ngrams(text) == analyzer(text)


@pytest.mark.parametrize("name", ["vtaiwan.uberx", "brexit-consensus",
                                  "american-assembly.bowling-green"])
def test_scores_equal_scikit_learns_tfidf_on_polis_statements(name):
    texts = polis_comments(name, 300)
    candidates, queries = texts[:250], texts[250:260] + TITLES[:4]
    index = SimilarityIndex(list(enumerate(candidates)))
    for query in [*queries, candidates[3], candidates[3].upper() + " and more words"]:
        np.testing.assert_allclose(index.scores(query), reference_scores(candidates, query),
                                   rtol=0, atol=1e-12)
    assert index.similar(candidates[3], limit=1) == [(3, 1.0)]


def test_scores_equal_scikit_learns_tfidf_on_titles_in_any_script():
    index = SimilarityIndex(list(enumerate(TITLES)))
    for query in ["potholes main street", "中山公園的遮陽棚", "xinyi bike lanes", "zz", "🚲"]:
        np.testing.assert_allclose(index.scores(query), reference_scores(TITLES, query),
                                   rtol=0, atol=1e-12)


def test_the_ranking_is_the_hashed_index_it_replaces():
    """Before issue 12 the index hashed n-grams into 2**20 buckets (scikit-learn); without
    collisions between the few n-grams of a query the suggestions are the same, and the
    scores differ by the little that colliding n-grams added."""
    texts = polis_comments("vtaiwan.uberx", 200) + TITLES
    hashing = HashingVectorizer(analyzer="char_wb", ngram_range=(3, 5),
                                preprocessor=comparable_text, n_features=2**20,
                                alternate_sign=False, norm=None)
    tfidf = TfidfTransformer(sublinear_tf=True)
    matrix = tfidf.fit_transform(hashing.transform(texts))
    index = SimilarityIndex(list(enumerate(texts)))
    for query in [texts[5][:40], texts[17], "Uber 計程車 法規", "potholes on main street"]:
        old = (matrix @ tfidf.transform(hashing.transform([query])).T).toarray().ravel()
        before = [i for i in np.argsort(-old, kind="stable")[:5] if old[i] >= 0.2]
        assert [pid for pid, _ in index.similar(query)] == before
        assert np.abs(index.scores(query) - old).max() < 0.02  # colliding n-grams


def test_an_empty_index_and_an_empty_query_find_nothing():
    assert SimilarityIndex([]).similar("potholes") == []
    assert SimilarityIndex([]).scores("potholes").tolist() == []
    index = SimilarityIndex([(1, "   "), (2, "potholes")])
    assert index.scores("   ").tolist() == [0.0, 0.0]
    assert index.similar("potholes") == [(2, 1.0)]


def test_the_index_does_not_import_scikit_learn():
    """Importing scikit-learn costs seconds: the first statement written after a start timed out
    in the browser tests (issue 12)."""
    code = ("import sys; from core.similarity import SimilarityIndex; "
            "SimilarityIndex([(1, 'potholes'), (2, '公園')]).similar('potholes'); "
            "print(sorted(m for m in sys.modules if m.startswith(('sklearn', 'scipy'))))")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                         text=True, check=True).stdout
    assert out.strip() == "[]"


def test_a_list_is_fitted_once_until_an_id_or_a_text_changes(monkeypatch):
    fits = []

    class CountingIndex(SimilarityIndex):
        def __init__(self, candidates):
            fits.append(len(candidates))
            super().__init__(candidates)

    monkeypatch.setattr(similarity, "SimilarityIndex", CountingIndex)
    monkeypatch.setattr(similarity, "_FITTED", type(similarity._FITTED)())
    statements = [(1, "Uber drivers need a licence"), (2, "Taxis and Uber, same rules")]
    first = cached_index(("conversation", 1), statements)
    assert cached_index(("conversation", 1), list(statements)) is first
    assert fits == [2]
    assert cached_index(("conversation", 1), [*statements, (3, "Insurance")]) is not first
    assert cached_index(("conversation", 1), [(1, "Other text"), statements[1]]) is not first
    assert cached_index(("budget", 1), statements) is not first
    assert fits == [2, 3, 2, 2]
    for n in range(similarity.FITTED_KEPT):
        cached_index(("budget", 100 + n), statements)
    cached_index(("conversation", 1), statements)
    assert fits[-1] == 2 and len(fits) == 4 + similarity.FITTED_KEPT + 1  # the oldest went
