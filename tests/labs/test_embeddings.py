"""Graded tests for lab 03, embeddings. Run: aie check embeddings

Cosine similarity is checked against scikit-learn (the reference); everything else runs
on the local all-MiniLM-L6-v2 with the network blocked, and asserts properties — ranks,
ids, shapes, thresholds measured on the reference solution — never exact vectors.
Corpora are embedded once per module (with `aie.embed`, the runtime) and handed to the
exercises as `vectors=`, so the file runs in well under two minutes on two cores.
"""

from __future__ import annotations

import zlib

import numpy as np
import pytest
from sklearn.decomposition import PCA
from sklearn.metrics import adjusted_rand_score
from sklearn.metrics.pairwise import cosine_similarity as sk_cosine

import aie.embed
from aie import registry, tokens
from aie.data import load_catalog, load_tickets

pytestmark = pytest.mark.lab("embeddings")

DIM = 384

# A small help-centre written for this lab: each query shares almost no words with its
# answer, so only meaning can match them. Measured on the solution: 12 of 12 rank first,
# each ahead of the runner-up by 0.06 to 0.42.
DOCS = [
    "To reset your password, open Settings, choose Security and press 'Send reset link'.",
    "Refunds are paid back to the original card within five working days.",
    "Our office is closed on public holidays; the chat team still answers messages.",
    "The mobile app needs Android 10 or iOS 15 and about 200 MB of free space.",
    "Parcels are shipped with a tracking number, which arrives by e-mail once the courier collects them.",
    "You can export all your notes as Markdown or PDF from the File menu.",
    "Team plans are billed per seat each month; adding a colleague adds one seat.",
    "Dark mode follows your system setting, or can be forced under Appearance.",
    "We keep backups for thirty days, so deleted notebooks can be restored within that time.",
    "Two-step verification adds a code from an authenticator app to every sign-in.",
    "Large attachments over 25 MB are uploaded in the background and may take a few minutes.",
    "Students and teachers get half price with a school e-mail address.",
]
QUERIES = [
    ("I forgot my login credentials and can't get in", 0),
    ("how long until I get my money back?", 1),
    ("is anyone around to help on Christmas day?", 2),
    ("will my phone be able to run it?", 3),
    ("where is my package? has it been sent?", 4),
    ("can I download everything I wrote to keep a copy?", 5),
    ("how much does it cost to add another person from my company?", 6),
    ("the screen is too bright at night, can it be darker?", 7),
    ("I accidentally threw away a notebook last week, can I get it back?", 8),
    ("how do I make signing in more secure with my phone?", 9),
    ("my big video file is taking ages to upload", 10),
    ("is there a discount for university students?", 11),
]


def _item_text(item: dict) -> str:
    return f"{item['title']}. {item['description']}"  # the same text as the lab's item_text


@pytest.fixture(scope="module")
def docs_vectors():
    return aie.embed.embed(DOCS)


@pytest.fixture(scope="module")
def catalog():
    return load_catalog()


@pytest.fixture(scope="module")
def catalog_vectors(catalog):
    return aie.embed.embed([_item_text(it) for it in catalog])


@pytest.fixture(scope="module")
def tickets():
    """Every ticket, the planted off-topic ones included."""
    return load_tickets(include_anomalies=True)


@pytest.fixture(scope="module")
def ticket_vectors(tickets):
    return aie.embed.embed([t["text"] for t in tickets])


class FakeModel:
    """Stands in for the sentence-transformers model: instant, deterministic vectors
    (derived from each text), and a log of how many texts each call carried."""

    def __init__(self):
        self.calls: list[int] = []

    @staticmethod
    def vector(text: str) -> np.ndarray:
        v = np.random.default_rng(zlib.crc32(text.encode())).standard_normal(DIM)
        return (v / np.linalg.norm(v)).astype(np.float32)

    def encode(self, texts, **kwargs):
        self.calls.append(len(texts))
        return np.stack([self.vector(t) for t in texts])


@pytest.fixture
def fake_model(monkeypatch):
    fake = FakeModel()
    monkeypatch.setattr(aie.embed, "local_model", lambda: fake)
    return fake


# ---------------------------------------------------------------- cosine_similarity

PAIRS = [
    ([1, 0], [1, 1]),
    ([1, 2, 3], [-1, -2, -3]),
    ([0.5, -2.0, 3.25, 1.0], [4.0, 0.1, -1.0, 2.5]),
    ([3, 4], [6, 8]),
    ([1e-3, 2e-3], [5e3, -1e3]),
]


@pytest.mark.exercise("cosine_similarity")
@pytest.mark.points(2)
@pytest.mark.parametrize("a, b", PAIRS)
def test_cosine_similarity_matches_sklearn(lab, a, b):
    expected = sk_cosine([a], [b])[0, 0]
    got = lab.cosine_similarity(a, b)
    assert isinstance(got, float), f"cosine_similarity should return a float, got {type(got).__name__}"
    assert got == pytest.approx(expected, abs=1e-6), f"cos({a}, {b}) is {expected:.6f} (scikit-learn), you got {got}"


@pytest.mark.exercise("cosine_similarity")
@pytest.mark.points(1)
def test_cosine_similarity_ignores_length_and_stays_in_range(lab):
    rng = np.random.default_rng(0)
    a, b = rng.standard_normal(384), rng.standard_normal(384)
    assert lab.cosine_similarity(a, 10 * a) == pytest.approx(1.0, abs=1e-9), \
        "a vector and the same vector made 10 times longer point the same way: similarity 1"
    assert lab.cosine_similarity(a, -a) == pytest.approx(-1.0, abs=1e-9), "opposite vectors have similarity -1"
    assert -1.0 <= lab.cosine_similarity(a, b) <= 1.0, "cosine similarity is always between -1 and 1"
    assert lab.cosine_similarity(a, b) == pytest.approx(lab.cosine_similarity(b, a)), "cos(a, b) equals cos(b, a)"


@pytest.mark.exercise("cosine_similarity")
@pytest.mark.points(1)
@pytest.mark.parametrize("a, b", [
    ([0, 0], [1, 1]),          # zero vector: no direction
    ([1, 1], [0.0, 0.0]),
    ([1, 2, 3], [1, 2]),       # different lengths
    ([], []),                  # empty
    ([[1, 2]], [[1, 2]]),      # a matrix is not a vector: use cosine_matrix
    ([np.nan, 1.0], [1, 1]),   # NaN or inf: no similarity means anything (it used to return a number)
    ([1, 1], [np.inf, 1.0]),
])
def test_cosine_similarity_rejects_bad_input(lab, a, b):
    with pytest.raises(ValueError):
        lab.cosine_similarity(a, b)


# ---------------------------------------------------------------- cosine_matrix


@pytest.mark.exercise("cosine_matrix")
@pytest.mark.points(2)
@pytest.mark.parametrize("n, m, d", [(1, 1, 2), (3, 5, 4), (7, 2, 384)])
def test_cosine_matrix_matches_sklearn(lab, n, m, d):
    rng = np.random.default_rng(n * 100 + m)
    A, B = rng.standard_normal((n, d)), rng.standard_normal((m, d)) * 3.0
    got = np.asarray(lab.cosine_matrix(A, B))
    assert got.shape == (n, m), f"{n} rows against {m} rows should give an ({n}, {m}) matrix, got {got.shape}"
    assert np.allclose(got, sk_cosine(A, B), atol=1e-6), "cosine_matrix should match scikit-learn's cosine_similarity"


@pytest.mark.exercise("cosine_matrix")
@pytest.mark.points(1)
def test_cosine_matrix_of_one_set_with_itself(lab, docs_vectors):
    got = np.asarray(lab.cosine_matrix(docs_vectors))
    n = len(DOCS)
    assert got.shape == (n, n), f"with B omitted, A is compared with itself: expected ({n}, {n}), got {got.shape}"
    assert np.allclose(np.diag(got), 1.0, atol=1e-5), "every text is perfectly similar to itself: the diagonal is 1"
    assert np.allclose(got, got.T, atol=1e-6), "the matrix of a set with itself is symmetric"


@pytest.mark.exercise("cosine_matrix")
@pytest.mark.points(1)
@pytest.mark.parametrize("A, B", [
    ([[1, 0], [0, 0]], [[1, 1]]),   # a zero row in A
    ([[1, 0]], [[0, 0]]),            # a zero row in B
    ([[1, 0, 0]], [[1, 0]]),         # rows of different lengths
    ([1, 0], [[1, 0]]),              # A is a single vector, not a matrix
    ([[np.nan, 1.0]], [[1, 1]]),     # a NaN row
    ([[1, 1]], [[1.0, np.inf]]),     # an infinite row
])
def test_cosine_matrix_rejects_bad_input(lab, A, B):
    with pytest.raises(ValueError):
        lab.cosine_matrix(A, B)


# ---------------------------------------------------------------- embed_texts


@pytest.mark.exercise("embed_texts")
@pytest.mark.points(1)
@pytest.mark.parametrize("n, batch_size", [(1, 256), (5, 2), (40, 16)])
def test_embed_texts_gives_one_unit_row_per_text(lab, n, batch_size):
    texts = [f"message {i}: my order {i} arrived late" for i in range(n)]
    got = lab.embed_texts(texts, batch_size=batch_size)
    assert isinstance(got, np.ndarray), f"embed_texts should return a numpy array, got {type(got).__name__}"
    assert got.shape == (n, DIM), f"{n} texts should give an ({n}, {DIM}) array, got {got.shape}"
    assert got.dtype == np.float32, f"the rows should be float32 (what aie.embed returns), got {got.dtype}"
    assert np.allclose(np.linalg.norm(got, axis=1), 1.0, atol=1e-4), "every row should have length 1"


@pytest.mark.exercise("embed_texts")
@pytest.mark.points(1)
def test_embed_texts_in_batches_equals_one_call(lab):
    texts = DOCS[:10]
    got = lab.embed_texts(texts, batch_size=3)
    assert np.allclose(got, aie.embed.embed(texts), atol=1e-4), \
        "embedding in batches of 3 should give the same rows, in the same order, as one call to aie.embed.embed"


@pytest.mark.exercise("embed_texts")
@pytest.mark.points(1)
def test_embed_texts_similar_meanings_are_close(lab):
    """Measured: cat/kitten 0.54, cat/tax 0.0."""
    v = lab.embed_texts(["a cat sat on the mat", "a kitten rested on the rug", "the tax return is due in April"])
    assert v[0] @ v[1] > v[0] @ v[2] + 0.2, "two sentences about a cat should be closer than a cat and a tax return"


@pytest.mark.exercise("embed_texts")
@pytest.mark.points(1)
def test_embed_texts_of_nothing_is_an_empty_matrix(lab):
    got = lab.embed_texts([])
    assert got.shape == (0, DIM), f"no texts should give a (0, {DIM}) array, got {got.shape}"


@pytest.mark.exercise("embed_texts")
@pytest.mark.points(2)
@pytest.mark.parametrize("batch_size", [1000, 256])
def test_embed_texts_sends_10k_texts_in_batches_and_keeps_order(lab, fake_model, batch_size):
    """The model is replaced by an instant fake here: this checks the batching, not the model."""
    texts = [f"t{i}" for i in range(10_000)]
    got = lab.embed_texts(texts, batch_size=batch_size, progress=False)
    assert got.shape == (10_000, DIM), f"10,000 texts should give a (10000, {DIM}) array, got {got.shape}"
    assert sum(fake_model.calls) == 10_000, f"every text should be embedded exactly once; the model saw {sum(fake_model.calls)}"
    assert max(fake_model.calls) <= batch_size, \
        f"each call to aie.embed.embed should carry at most batch_size={batch_size} texts; one carried {max(fake_model.calls)}"
    assert len(fake_model.calls) == -(-10_000 // batch_size), \
        f"10,000 texts in batches of {batch_size} is {-(-10_000 // batch_size)} calls, you made {len(fake_model.calls)}"
    for i in (0, 1, batch_size - 1, batch_size, 5_000, 9_999):
        assert np.allclose(got[i], FakeModel.vector(texts[i]), atol=1e-5), f"row {i} should be the vector of texts[{i}]"


@pytest.mark.exercise("embed_texts")
@pytest.mark.points(1)
def test_embed_texts_shows_a_progress_bar_for_big_corpora(lab, fake_model, capsys):
    texts = [f"t{i}" for i in range(aie.embed.PROGRESS_THRESHOLD + 500)]
    lab.embed_texts(texts[:50])
    quiet = capsys.readouterr()
    assert not (quiet.err + quiet.out).strip(), "50 texts are quick: no progress bar unless progress=True"
    lab.embed_texts(texts)
    shown = capsys.readouterr()
    assert (shown.err + shown.out).strip(), \
        f"{len(texts)} texts should show a progress bar (tqdm) by default: progress=None means 'when it is big'"
    lab.embed_texts(texts, progress=False)
    off = capsys.readouterr()
    assert not (off.err + off.out).strip(), "progress=False should print nothing"


@pytest.mark.exercise("embed_texts")
@pytest.mark.points(1)
@pytest.mark.parametrize("texts, batch_size", [
    ("just one string", 256),      # a bare string is not a list of texts
    ([1, 2], 256),
    (["ok", None], 256),
    (["ok"], 0),
    (["ok"], -5),
])
def test_embed_texts_rejects_bad_input(lab, texts, batch_size):
    with pytest.raises(ValueError) as err:
        lab.embed_texts(texts, batch_size=batch_size)
    if batch_size < 1:  # checked up front, not a numpy error from deep inside
        assert "batch_size" in str(err.value), f"the error should name batch_size; got: {err.value}"


# ---------------------------------------------------------------- semantic_search


@pytest.mark.exercise("semantic_search")
@pytest.mark.points(3)
@pytest.mark.parametrize("query, answer", QUERIES)
def test_semantic_search_finds_the_answer_first(lab, docs_vectors, query, answer):
    """Measured on the solution: 12 of 12 queries find their answer first."""
    hits = lab.semantic_search(query, DOCS, k=3, doc_vectors=docs_vectors)
    assert hits, "semantic_search returned nothing"
    assert hits[0][0] == answer, f"{query!r} should find {DOCS[answer]!r} first, got {DOCS[hits[0][0]]!r}"


@pytest.mark.exercise("semantic_search")
@pytest.mark.points(1)
@pytest.mark.parametrize("k", [1, 3, 12, 50])
def test_semantic_search_returns_k_ranked_pairs(lab, docs_vectors, k):
    hits = lab.semantic_search("where is my parcel?", DOCS, k=k, doc_vectors=docs_vectors)
    expected = min(k, len(DOCS))
    assert len(hits) == expected, f"k={k} over {len(DOCS)} docs should give {expected} results, got {len(hits)}"
    indices = [i for i, _ in hits]
    scores = [s for _, s in hits]
    assert all(isinstance(i, int) for i in indices), "each result is (index into docs, score), with an int index"
    assert len(set(indices)) == len(indices), "no doc should appear twice"
    assert all(0 <= i < len(DOCS) for i in indices), "indices should point into docs"
    assert all(-1.0 - 1e-6 <= s <= 1.0 + 1e-6 for s in scores), "scores are cosine similarities, between -1 and 1"
    assert scores == sorted(scores, reverse=True), "results should be ranked, best score first"


@pytest.mark.exercise("semantic_search")
@pytest.mark.points(1)
def test_semantic_search_ties_keep_the_lower_index_first(lab, docs_vectors):
    """Docs 0, 4 and 9 are given the same vector (a text stored three times): equal
    scores, so they rank in index order."""
    vectors = np.array(docs_vectors, copy=True)
    vectors[4] = vectors[9] = vectors[0]
    hits = lab.semantic_search("I forgot my login credentials and can't get in", DOCS, k=3, doc_vectors=vectors)
    assert [i for i, _ in hits] == [0, 4, 9], f"three equal scores rank by index, lower first: got {hits}"


@pytest.mark.exercise("semantic_search")
@pytest.mark.points(1)
def test_semantic_search_embeds_the_docs_itself_and_handles_no_docs(lab):
    hits = lab.semantic_search("how do I bake bread?", ["Filing your tax return", "Sourdough for beginners"], k=1)
    assert [i for i, _ in hits] == [1], "without doc_vectors, embed the docs yourself: bread should find sourdough"
    assert lab.semantic_search("anything", [], k=3) == [], "searching no docs finds nothing: []"


@pytest.mark.exercise("semantic_search")
@pytest.mark.points(1)
@pytest.mark.parametrize("query, docs, k", [
    ("", DOCS, 3),                 # empty query
    ("   ", DOCS, 3),
    (None, DOCS, 3),
    ("refund", "one long string", 3),
    ("refund", DOCS, 0),
    ("refund", DOCS, -1),
    ("refund", DOCS, 2.5),
    ("refund \ud800", DOCS, 3),     # a lone surrogate is not text
])
def test_semantic_search_rejects_bad_input(lab, query, docs, k):
    with pytest.raises(ValueError):
        lab.semantic_search(query, docs, k=k)


@pytest.mark.exercise("semantic_search")
@pytest.mark.points(1)
def test_semantic_search_refuses_nan_doc_vectors(lab, docs_vectors):
    bad = np.array(docs_vectors, copy=True)
    bad[3, 0] = np.nan
    with pytest.raises(ValueError):
        lab.semantic_search("refund", DOCS, k=3, doc_vectors=bad)


# ---------------------------------------------------------------- recommend


@pytest.mark.exercise("recommend")
@pytest.mark.points(2)
@pytest.mark.parametrize("item_id", ["c001", "c050", "c098", "c144"])
def test_recommend_never_returns_the_item_or_what_was_seen(lab, catalog, catalog_vectors, item_id):
    first = lab.recommend(item_id, catalog, k=5, vectors=catalog_vectors)
    ids = [i for i, _ in first]
    assert len(ids) == 5, f"k=5 should give 5 recommendations, got {len(ids)}"
    assert item_id not in ids, f"recommendations for {item_id} should never include {item_id} itself"
    assert len(set(ids)) == 5, "no item should be recommended twice"
    scores = [s for _, s in first]
    assert scores == sorted(scores, reverse=True), "recommendations should be ranked, most similar first"
    seen = ids[:3]
    again = [i for i, _ in lab.recommend(item_id, catalog, k=5, exclude_seen=seen, vectors=catalog_vectors)]
    assert not set(seen) & set(again), f"items in exclude_seen {seen} must not be recommended again, got {again}"
    assert len(again) == 5 and item_id not in again, "with seen items left out, still give k other items"


@pytest.mark.exercise("recommend")
@pytest.mark.points(2)
def test_recommend_stays_on_topic(lab, catalog, catalog_vectors):
    """Measured on the solution: 70% of the top-5 share the item's category (chance: 8%)."""
    by_id = {it["id"]: it["category"] for it in catalog}
    same = total = 0
    for item in catalog:
        for rec_id, _ in lab.recommend(item["id"], catalog, k=5, vectors=catalog_vectors):
            same += by_id[rec_id] == item["category"]
            total += 1
    share = same / total
    assert share >= 0.55, f"at least 55% of recommendations should share the item's category; got {share:.0%}"


@pytest.mark.exercise("recommend")
@pytest.mark.points(1)
def test_recommend_embeds_a_small_catalogue_itself(lab):
    small = [
        {"id": "a", "title": "Sourdough Bread", "description": "Bake crusty loaves with a starter."},
        {"id": "b", "title": "Guitar Chords", "description": "Strum your first songs."},
        {"id": "c", "title": "Bread Baking Basics", "description": "Knead, prove and bake a loaf of bread."},
        {"id": "d", "title": "Tax Returns", "description": "File your income tax without stress."},
    ]
    got = lab.recommend("a", small, k=10)
    assert [i for i, _ in got][:1] == ["c"], "without vectors, embed the items yourself: sourdough should recommend bread baking"
    assert len(got) == 3, "k bigger than the catalogue gives every other item (3 here)"


@pytest.mark.exercise("recommend")
@pytest.mark.points(1)
@pytest.mark.parametrize("item_id, k, seen", [
    ("c999", 5, ()),      # not in the catalogue
    ("c001", 0, ()),
    ("c001", -2, ()),
    ("c001", 5, "c002"),  # one string is not a collection of ids
])
def test_recommend_rejects_bad_input(lab, catalog, catalog_vectors, item_id, k, seen):
    with pytest.raises(ValueError):
        lab.recommend(item_id, catalog, k=k, exclude_seen=seen, vectors=catalog_vectors)


@pytest.mark.exercise("recommend")
@pytest.mark.points(1)
def test_recommend_refuses_duplicate_ids(lab):
    """Two items sharing an id cannot both be recommended or excluded: a ValueError, not a guess."""
    twice = [{"id": "a", "title": "Bread", "description": "Bake."}, {"id": "b", "title": "Cake", "description": "Bake."},
             {"id": "a", "title": "Guitar", "description": "Strum."}]
    with pytest.raises(ValueError):
        lab.recommend("b", twice, k=2, vectors=np.eye(3, 4, dtype=np.float32))


# ---------------------------------------------------------------- find_anomalies


@pytest.mark.exercise("find_anomalies")
@pytest.mark.points(3)
def test_find_anomalies_catches_the_planted_off_topic_tickets(lab, tickets, ticket_vectors):
    """Measured on the solution: with 10% flagged, 6 of 6 planted messages, and they fill
    the first 6 places (centroid distance also finds all 6 within the first 10)."""
    texts = [t["text"] for t in tickets]
    planted = {i for i, t in enumerate(tickets) if t["anomaly"]}
    flagged = lab.find_anomalies(texts, contamination=0.1, vectors=ticket_vectors)
    missed = [texts[i] for i in sorted(planted - set(flagged))]
    assert not missed, f"these off-topic messages were not flagged: {missed}"


@pytest.mark.exercise("find_anomalies")
@pytest.mark.points(1)
@pytest.mark.parametrize("contamination", [0.01, 0.05, 0.1, 0.5])
def test_find_anomalies_flags_the_share_asked_for(lab, tickets, ticket_vectors, contamination):
    texts = [t["text"] for t in tickets]
    flagged = lab.find_anomalies(texts, contamination=contamination, vectors=ticket_vectors)
    expected = max(1, round(contamination * len(texts)))
    assert len(flagged) == expected, f"contamination={contamination} of {len(texts)} texts should flag {expected}, got {len(flagged)}"
    assert len(set(flagged)) == len(flagged), "no text should be flagged twice"
    assert all(isinstance(i, int) and 0 <= i < len(texts) for i in flagged), "return indices into texts"


@pytest.mark.exercise("find_anomalies")
@pytest.mark.points(1)
@pytest.mark.parametrize("category, intruder", [
    ("cooking", "How do I reset the admin password on my home router?"),
    ("music", "Compare fixed and variable mortgage rates before you buy a flat."),
    ("finance", "Slow-cooked lamb shoulder with rosemary and garlic."),
])
def test_find_anomalies_finds_the_odd_one_out_in_one_topic(lab, catalog, category, intruder):
    texts = [_item_text(it) for it in catalog if it["category"] == category] + [intruder]
    flagged = lab.find_anomalies(texts, contamination=2 / len(texts))
    assert len(flagged) == 2 and flagged[0] == len(texts) - 1, \
        f"among {category} courses, {intruder!r} (the last text) is the odd one out: it comes first, got {flagged}"


@pytest.mark.exercise("find_anomalies")
@pytest.mark.points(1)
@pytest.mark.parametrize("n_neighbors", [1, 3])
def test_find_anomalies_scores_by_nearest_neighbours_not_the_centre(lab, n_neighbors):
    """Two topics with an empty centre, built as vectors: 10 rows near direction a, 10
    near b (a and b orthogonal), row 3 a loose member of topic a, and row 20 halfway
    between the topics. Row 20 is among the closest to the centroid (distance from the
    centroid ranks rows 3, 16, 10 first), but its nearest neighbours are far (cosine 0.72,
    against 0.89 for row 3 and 0.98 within a topic): it is the most unusual, then row 3.
    Measured on the solution: [20, 3] for n_neighbors 1 and 3."""
    rng = np.random.default_rng(7)
    a, b = np.eye(2, 64)
    rows = [a + 0.02 * rng.standard_normal(64) for _ in range(10)] + [b + 0.02 * rng.standard_normal(64) for _ in range(10)]
    rows[3] = a + 0.06 * rng.standard_normal(64)
    rows.append((a + b) / np.sqrt(2) + 0.01 * rng.standard_normal(64))
    vectors = np.array(rows, dtype=np.float32)
    texts = [f"text {i}" for i in range(len(rows))]
    flagged = lab.find_anomalies(texts, contamination=2 / len(texts), n_neighbors=n_neighbors, vectors=vectors)
    assert flagged == [20, 3], (
        "score each text by its n_neighbors nearest OTHER texts (not itself, not the centroid), most unusual "
        f"first: expected [20, 3], got {flagged}")


@pytest.mark.exercise("find_anomalies")
@pytest.mark.points(1)
@pytest.mark.parametrize("texts, contamination", [
    (["a", "b", "c", "d"], 0),
    (["a", "b", "c", "d"], -0.1),
    (["a", "b", "c", "d"], 0.9),    # flagging most of a corpus is not anomaly detection
    (["a", "b"], 0.1),              # too few texts to tell what is unusual
    ("one string", 0.1),
])
def test_find_anomalies_rejects_bad_input(lab, texts, contamination):
    with pytest.raises(ValueError):
        lab.find_anomalies(texts, contamination=contamination)


@pytest.mark.exercise("find_anomalies")
@pytest.mark.points(1)
def test_find_anomalies_refuses_nan_vectors(lab):
    vectors = np.eye(4, 8, dtype=np.float32)
    vectors[2, 5] = np.nan
    with pytest.raises(ValueError):
        lab.find_anomalies(["a", "b", "c", "d"], contamination=0.25, vectors=vectors)


# ---------------------------------------------------------------- train_classifier / predict


@pytest.mark.exercise("train_classifier")
@pytest.mark.points(3)
def test_classifier_on_embeddings_beats_the_floor_on_held_out_tickets(lab):
    """Intent of support tickets, 6 classes, trained on 8 examples per class.

    Measured on the solution: 0.92 held-out accuracy (44/48); TF-IDF with the same
    classifier: 0.46. Floor: 0.85.
    """
    train, test = load_tickets("train"), load_tickets("test")
    model = lab.train_classifier([t["text"] for t in train], [t["intent"] for t in train])
    got = lab.predict(model, [t["text"] for t in test])
    accuracy = np.mean([g == t["intent"] for g, t in zip(got, test)])
    assert accuracy >= 0.85, f"held-out accuracy should be at least 0.85, got {accuracy:.2f}"


@pytest.mark.exercise("train_classifier")
@pytest.mark.points(1)
@pytest.mark.parametrize("texts, labels", [
    (["a", "b", "c"], ["x", "y"]),       # one label per text
    (["a", "b", "c"], ["x", "x", "x"]),  # a single class teaches nothing
    ([], []),
    ("abc", ["x", "y", "z"]),
    (["a", "b", "c"], ["x", None, "y"]),  # a missing label
])
def test_train_classifier_rejects_bad_input(lab, texts, labels):
    with pytest.raises(ValueError):
        lab.train_classifier(texts, labels)


@pytest.mark.exercise("train_classifier")
@pytest.mark.points(1)
@pytest.mark.parametrize("C, bad_row", [(0.0, False), (float("nan"), False), (-1.0, False), (1.0, True)])
def test_train_classifier_refuses_a_bad_C_or_nan_vectors(lab, C, bad_row):
    vectors = np.eye(4, 8, dtype=np.float32)
    if bad_row:
        vectors[1, 1] = np.inf
    with pytest.raises(ValueError):
        lab.train_classifier(["a", "b", "c", "d"], ["x", "y", "x", "y"], vectors=vectors, C=C)


@pytest.mark.exercise("predict")
@pytest.mark.points(1)
def test_predict_gives_one_known_label_per_text(lab):
    texts = ["I was charged twice this month", "the app freezes on start", "please add a calendar view",
             "you are wonderful", "I cannot log in", "close my account"]
    labels = ["billing", "bug", "feature_request", "praise", "account_access", "cancellation"]
    model = lab.train_classifier(texts, labels)
    got = lab.predict(model, ["my card was billed two times", "crash when I open it", "thanks, great work"])
    assert isinstance(got, list) and len(got) == 3, "predict should return a list with one label per text"
    assert all(g in labels for g in got), f"every prediction should be one of the training labels, got {got}"
    assert lab.predict(model, []) == [], "no texts, no predictions: []"


@pytest.mark.exercise("predict")
@pytest.mark.points(1)
@pytest.mark.parametrize("model, texts", [
    ("not a model", ["hello"]),
    (None, ["hello"]),
])
def test_predict_rejects_bad_input(lab, model, texts):
    with pytest.raises(ValueError):
        lab.predict(model, texts)


@pytest.mark.exercise("predict")
@pytest.mark.points(1)
def test_predict_refuses_vectors_of_another_dimension(lab):
    model = lab.train_classifier(["a", "b", "c", "d"], ["x", "y", "x", "y"], vectors=np.eye(4, 8, dtype=np.float32))
    with pytest.raises(ValueError) as err:
        lab.predict(model, ["e"], vectors=np.ones((1, 5), dtype=np.float32))
    assert "8" in str(err.value) and "5" in str(err.value), "the error names both dimensions"


# ---------------------------------------------------------------- cluster / project_2d


@pytest.mark.exercise("cluster")
@pytest.mark.points(1)
@pytest.mark.parametrize("k", [2, 12])
def test_cluster_gives_one_label_per_text_and_is_repeatable(lab, catalog, catalog_vectors, k):
    texts = [_item_text(it) for it in catalog]
    labels = np.asarray(lab.cluster(texts, k, vectors=catalog_vectors, seed=0))
    assert labels.shape == (len(texts),), f"one cluster number per text: expected {len(texts)}, got {labels.shape}"
    assert set(labels.tolist()) == set(range(k)), f"k={k} clusters should use the numbers 0..{k - 1}"
    again = np.asarray(lab.cluster(texts, k, vectors=catalog_vectors, seed=0))
    assert np.array_equal(labels, again), "the same seed should give the same clusters"


@pytest.mark.exercise("cluster")
@pytest.mark.points(1)
def test_clusters_follow_the_catalogue_categories(lab, catalog, catalog_vectors):
    """Measured on the solution (KMeans, 12 clusters, seed 0): adjusted Rand index 0.46
    against the 12 categories (0 = chance, 1 = the same grouping). Floor: 0.3."""
    texts = [_item_text(it) for it in catalog]
    labels = lab.cluster(texts, 12, vectors=catalog_vectors, seed=0)
    ari = adjusted_rand_score([it["category"] for it in catalog], labels)
    assert ari >= 0.3, f"clusters should follow the categories (adjusted Rand index at least 0.3), got {ari:.2f}"


@pytest.mark.exercise("cluster")
@pytest.mark.points(1)
@pytest.mark.parametrize("texts, k", [(["a", "b", "c"], 0), (["a", "b", "c"], 4), ("abc", 2)])
def test_cluster_rejects_bad_input(lab, texts, k):
    with pytest.raises(ValueError):
        lab.cluster(texts, k)


@pytest.mark.exercise("cluster")
@pytest.mark.points(1)
def test_cluster_refuses_nan_vectors(lab):
    vectors = np.eye(3, 4, dtype=np.float32)
    vectors[0, 0] = np.nan
    with pytest.raises(ValueError):
        lab.cluster(["a", "b", "c"], 2, vectors=vectors)


@pytest.mark.exercise("project_2d")
@pytest.mark.points(1)
def test_project_2d_is_the_pca_map(lab, catalog_vectors):
    got = np.asarray(lab.project_2d(catalog_vectors))
    n = len(catalog_vectors)
    assert got.shape == (n, 2), f"one (x, y) point per vector: expected ({n}, 2), got {got.shape}"
    reference = PCA(n_components=2).fit_transform(catalog_vectors)
    assert np.allclose(np.abs(got), np.abs(reference), atol=1e-3), \
        "project_2d should be PCA onto the two directions of most spread (the sign of an axis may flip)"
    assert got[:, 0].var() >= got[:, 1].var(), "the first axis carries the most spread"


@pytest.mark.exercise("project_2d")
@pytest.mark.points(1)
@pytest.mark.parametrize("vectors", [
    np.zeros(384),              # one vector, not a matrix
    np.ones((1, 384)),          # one point cannot be spread over two axes
    np.ones((5, 1)),            # one dimension cannot give two
    np.full((3, 4), np.nan),    # NaN has no place on a map
])
def test_project_2d_rejects_bad_input(lab, vectors):
    with pytest.raises(ValueError):
        lab.project_2d(vectors)


# ---------------------------------------------------------------- embedding_cost


@pytest.mark.exercise("embedding_cost")
@pytest.mark.points(2)
@pytest.mark.parametrize("model", ["text-embedding-3-small", "text-embedding-3-large"])
def test_embedding_cost_counts_tokens_and_prices_them_from_the_registry(lab, model):
    texts = [d for d in DOCS] + ["", "Prix: 12,50 € — café crème 🙂", "hello", "world", "again"]
    expected_tokens = sum(len(tokens.get_encoding("cl100k_base").encode(t)) for t in texts)
    got = lab.embedding_cost(texts, model)
    assert got["tokens"] == expected_tokens, \
        f"{model} counts with tiktoken's cl100k_base: these texts are {expected_tokens} tokens, you counted {got['tokens']}"
    price = registry.get_model(model).input_per_1m
    assert got["usd"] == pytest.approx(expected_tokens * price / 1e6, rel=1e-9), \
        f"the cost is tokens x ${price} per 1M tokens (from aie/models.toml)"
    assert got["texts"] == len(texts) and got["model"] == model, "report the model and how many texts were priced"


@pytest.mark.exercise("embedding_cost")
@pytest.mark.points(1)
def test_embedding_cost_of_nothing_is_zero_and_large_costs_more(lab):
    assert lab.embedding_cost([], "text-embedding-3-small")["usd"] == 0, "embedding no texts costs nothing"
    small = lab.embedding_cost(DOCS, "text-embedding-3-small")["usd"]
    large = lab.embedding_cost(DOCS, "text-embedding-3-large")["usd"]
    assert large > small > 0, "the same texts cost more with text-embedding-3-large than -small"


@pytest.mark.exercise("embedding_cost")
@pytest.mark.points(1)
@pytest.mark.parametrize("texts, model", [
    (["hi"], "text-embedding-9-mega"),   # not in the registry
    (["hi"], ""),
    (["hi"], "gpt-4o"),                  # a chat model, not an embedding model
    (["hi"], "all-minilm-l6-v2"),        # local: no per-token price
    ("hi", "text-embedding-3-small"),    # a string, not a list of texts
])
def test_embedding_cost_rejects_unknown_or_wrong_models(lab, texts, model):
    with pytest.raises(ValueError):
        lab.embedding_cost(texts, model)
