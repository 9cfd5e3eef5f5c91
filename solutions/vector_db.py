"""Vector databases: one small protocol over Chroma, FAISS, LanceDB, Qdrant and Postgres +
pgvector, and how to measure them (exact vs approximate search, recall and latency).

    store = FaissStore("hnsw")
    store.add(["t01", "f01"], ["The night ferry leaves at 23:40.", "Rye bread is ready at six."],
              [{"topic": "transport"}, {"topic": "food"}])
    store.query("when does the boat leave?", k=1)  -> [("t01", 0.52, {"topic": "transport"})]

Every store speaks the same protocol (`VectorStore`): `add` (an upsert: a repeated id replaces
the old row), `query` (the k nearest rows by cosine similarity, optionally only rows whose
metadata match `where`), `delete` and `count`. Texts are embedded with `aie.embed.embed`
(local all-MiniLM-L6-v2, 384-d); the benchmark passes its own vectors instead.

Covered: index, upsert, delete, metadata filters, persistence, exact search as ground truth,
recall@k, build time and latency. Not covered: what to embed and how to chunk it (lab 05,
`rag`), the embeddings themselves (lab 03, `embeddings`), running a database server in
production (managed services are mapped onto the protocol in the notebook).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import time
import uuid
from abc import ABC, abstractmethod
from pathlib import Path

import numpy as np

from aie.config import REPO_ROOT
from aie.embed import embed

DIM = 384  # all-MiniLM-L6-v2
NOTES_PATH = REPO_ROOT / "datasets" / "vector_db" / "notes.jsonl"
_KEY = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,62}$")  # safe as a SQL name and a payload path


# --- given helpers -------------------------------------------------------------------------

def load_notes(path: Path | str = NOTES_PATH) -> list[dict]:
    """The lab's corpus: 24 short notes about a fictional harbour town, each
    `{"id": "t01", "text": "...", "topic": "transport", "year": 2022}`."""
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def random_unit_vectors(n: int, dim: int = DIM, seed: int = 0) -> np.ndarray:
    """`n` seeded random rows of length 1: `random_unit_vectors(2, 3).shape -> (2, 3)`.

    Isotropic random vectors are the hardest case for approximate search (no clusters, all
    distances alike); real embeddings are easier. The first m rows do not depend on n."""
    x = np.random.default_rng(seed).standard_normal((n, dim), dtype=np.float32)
    return x / np.linalg.norm(x, axis=1, keepdims=True)


def check_ids(ids, name: str = "ids") -> list[str]:
    """A non-empty list of distinct, non-empty strings, or ValueError naming `name`."""
    if isinstance(ids, (str, bytes)) or not hasattr(ids, "__iter__"):
        raise ValueError(f"{name} must be a list of strings, got {type(ids).__name__}")
    ids = list(ids)
    if not ids:
        raise ValueError(f"{name} must not be empty")
    for i, x in enumerate(ids):
        if not isinstance(x, str) or not x:
            raise ValueError(f"{name}[{i}] must be a non-empty string, got {x!r}")
    if len(set(ids)) != len(ids):
        dupes = sorted({x for x in ids if ids.count(x) > 1})
        raise ValueError(f"{name} has duplicates {dupes[:5]}: one row per id in a call")
    return ids


def check_fields(fields, name: str) -> dict:
    """A flat dict of str, int, float or bool values with simple keys (`topic`, `year`),
    or ValueError naming `name`. None means {}."""
    if fields is None:
        return {}
    if not isinstance(fields, dict):
        raise ValueError(f"{name} must be a dict, got {type(fields).__name__}")
    for key, value in fields.items():
        if not isinstance(key, str) or not _KEY.match(key):
            raise ValueError(f"{name} key {key!r} must be a simple name (letters, digits, _)")
        if not isinstance(value, (str, int, float, bool)) or isinstance(value, float) and not np.isfinite(value):
            raise ValueError(f"{name}[{key!r}] must be a str, int, float or bool, got {value!r}")
    return dict(fields)


def as_unit_rows(vectors, n: int, dim: int, name: str = "vectors") -> np.ndarray:
    """`vectors` as an (n, dim) float32 array with rows of length 1, or ValueError."""
    try:
        x = np.asarray(vectors, dtype=np.float32)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be numbers") from None
    if x.ndim != 2 or x.shape != (n, dim):
        raise ValueError(f"{name} must have shape ({n}, {dim}), got {x.shape}")
    if not np.isfinite(x).all():
        raise ValueError(f"{name} contains NaN or infinity")
    norms = np.linalg.norm(x, axis=1, keepdims=True)
    if (norms == 0).any():
        raise ValueError(f"{name} contains an all-zero row: it has no direction")
    return x / norms


def matches(metadata: dict, where: dict | None) -> bool:
    """True if every `where` field equals the row's (same type: True is not 1).
    `matches({"topic": "food", "year": 2023}, {"topic": "food"}) -> True`"""
    return all(k in metadata and type(metadata[k]) is type(v) and metadata[k] == v
               for k, v in (where or {}).items())


def _import_lancedb():
    """Import lancedb. Run from the course's folder, its `datasets/` data folder can be
    imported as an empty `datasets` package (in place of Hugging Face's); lancedb's optional
    Hugging Face hook then fails, so it is hidden during the import and the hook skipped."""
    import importlib.util
    import sys

    spec = importlib.util.find_spec("datasets")
    shadowed = spec is not None and spec.origin is None  # a bare folder, not a real package
    hidden = sys.modules.pop("datasets", None) if shadowed else None
    try:
        lancedb = _require("lancedb")
    finally:
        if hidden is not None:
            sys.modules["datasets"] = hidden
    if shadowed:
        from lancedb import scannable

        scannable._registered_modules.add("datasets")
    return lancedb


def _require(module: str):
    import importlib

    try:
        return importlib.import_module(module)
    except ImportError:
        raise ImportError(f"{module} is not installed: pip install 'aie-labs[vector]'") from None


# --- 1. the protocol ---------------------------------------------------------------------

class VectorStore(ABC):
    """The protocol every store speaks. Subclasses implement four small hooks
    (`_upsert`, `_search`, `_delete`, `count`); the public methods check the input, embed
    texts, normalise vectors and call the hooks — so every store behaves the same.

    A hit is `(id, score, metadata)`: score is the cosine similarity (1 = same direction),
    best first. Bad input is a ValueError naming the argument: ids that are not a list of
    unique strings, texts/vectors/metadatas of the wrong length or shape, nested metadata,
    k < 1, a where that is not flat, neither or both of text and vector, delete("one id").

    The stores kept in a folder (Chroma, FAISS, LanceDB, Qdrant) have one writer: two
    processes writing to one folder at once lose or mix rows, and nothing here stops them.
    Open a folder from one process; for several writers use a server (pgvector here)."""

    dim: int = DIM

    def add(self, ids, texts=None, metadatas=None, *, vectors=None) -> None:
        """Insert or replace rows (an upsert: a repeated id replaces the old row).

        Give `texts` (embedded with `aie.embed.embed`) or `vectors` (n x dim, any length:
        rows are normalised). `metadatas` is one flat dict per row, or None.

            store.add(["a", "b"], ["a cat", "a dog"], [{"kind": "pet"}, {"kind": "pet"}])
            store.add(["a"], ["a kitten"])        # replaces "a": count() is still 2
        """
        # BEGIN SOLUTION
        ids = check_ids(ids)
        if texts is not None:
            if isinstance(texts, str) or not hasattr(texts, "__iter__"):
                raise ValueError("texts must be a list of strings; wrap one text as [text]")
            texts = list(texts)
            if len(texts) != len(ids):
                raise ValueError(f"texts has {len(texts)} items but ids has {len(ids)}")
        if vectors is None:
            if texts is None:
                raise ValueError("add needs texts (to embed) or vectors")
            vectors = embed(texts)
        vectors = as_unit_rows(vectors, len(ids), self.dim, "vectors")
        if metadatas is None:
            metadatas = [None] * len(ids)
        if isinstance(metadatas, (dict, str)) or not hasattr(metadatas, "__iter__"):
            raise ValueError("metadatas must be a list with one dict (or None) per id")
        metadatas = list(metadatas)
        if len(metadatas) != len(ids):
            raise ValueError(f"metadatas has {len(metadatas)} items but ids has {len(ids)}")
        metadatas = [check_fields(m, f"metadatas[{i}]") for i, m in enumerate(metadatas)]
        self._upsert(ids, vectors, metadatas)
        # END SOLUTION

    def query(self, text=None, k: int = 5, where=None, *, vector=None) -> list[tuple[str, float, dict]]:
        """The `k` rows nearest to `text` (or to `vector`), best first, as (id, score,
        metadata); only rows whose metadata equal every field of `where`.

            store.query("a kitten", k=1)                     -> [("a", 0.93, {"kind": "pet"})]
            store.query("a kitten", k=5, where={"kind": "toy"}) -> []
        """
        # BEGIN SOLUTION
        if not isinstance(k, (int, np.integer)) or isinstance(k, bool) or k < 1:
            raise ValueError(f"k must be a positive integer, got {k!r}")
        where = check_fields(where, "where")
        if (text is None) == (vector is None):
            raise ValueError("query needs exactly one of text or vector")
        if text is not None:
            if not isinstance(text, str) or not text.strip():
                raise ValueError(f"text must be a non-empty string, got {text!r}")
            vector = embed([text])[0]
        vector = as_unit_rows(np.asarray(vector, dtype=np.float32).reshape(1, -1), 1, self.dim, "vector")[0]
        hits = self._search(vector, int(k), where)
        # One rule for every store: a field matches only a value of its own type (Chroma and
        # LanceDB on their own match the filter 2023.0 against the int 2023).
        hits = [(str(i), float(s), dict(m or {})) for i, s, m in hits if matches(dict(m or {}), where)]
        return sorted(hits, key=lambda h: -h[1])[:k]
        # END SOLUTION

    def delete(self, ids) -> None:
        """Remove rows by id; ids that are not there are ignored.
        `store.delete(["a"])` then `store.count() -> 1`"""
        # BEGIN SOLUTION
        if isinstance(ids, (str, bytes)) or not hasattr(ids, "__iter__"):
            raise ValueError("ids must be a list of strings; wrap one id as [id]")
        self._delete(check_ids(list(dict.fromkeys(ids))))  # repeats are harmless here
        # END SOLUTION

    @abstractmethod
    def count(self) -> int:
        """How many rows the store holds."""

    @abstractmethod
    def _upsert(self, ids: list[str], vectors: np.ndarray, metadatas: list[dict]) -> None:
        """Write checked rows: unit-length float32 vectors, flat metadata dicts."""

    @abstractmethod
    def _search(self, vector: np.ndarray, k: int, where: dict) -> list[tuple[str, float, dict]]:
        """Up to k (id, cosine similarity, metadata), best first; `where` may be {}."""

    @abstractmethod
    def _delete(self, ids: list[str]) -> None:
        """Remove these ids if present."""

    def close(self) -> None:
        """Release files and connections (and save, for stores that write on close)."""

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


class MemoryStore(VectorStore):
    """The simplest store, given as the worked example of the hooks: a dict in memory and
    an exact dot product. Nothing persists."""

    def __init__(self, dim: int = DIM):
        self.dim = dim
        self._rows: dict[str, tuple[np.ndarray, dict]] = {}

    def count(self) -> int:
        return len(self._rows)

    def _upsert(self, ids, vectors, metadatas):
        for id_, vector, meta in zip(ids, vectors, metadatas):
            self._rows[id_] = (vector, meta)

    def _search(self, vector, k, where):
        rows = [(id_, v, m) for id_, (v, m) in self._rows.items() if matches(m, where)]
        if not rows:
            return []
        scores = np.stack([v for _, v, _ in rows]) @ vector
        best = np.argsort(-scores, kind="stable")[:k]
        return [(rows[j][0], float(scores[j]), rows[j][2]) for j in best]

    def _delete(self, ids):
        for id_ in ids:
            self._rows.pop(id_, None)


# --- 2. Chroma ------------------------------------------------------------------------------

class ChromaStore(VectorStore):
    """A persistent Chroma collection (an HNSW index plus SQLite) in the folder `path`.

    Chroma embeds texts with its own default model when given no vectors — and that model
    is downloaded at first use, which fails offline. So this store always hands Chroma our
    vectors and creates the collection with `embedding_function=None`. Telemetry is off.

        store = ChromaStore(tmp_path / "chroma")
        store.add(["t01"], ["The night ferry leaves at 23:40."], [{"topic": "transport"}])
        store.close(); ChromaStore(tmp_path / "chroma").count()  -> 1

    `collection` names are 3-512 characters of letters, digits, `.`, `_`, `-` (else ValueError);
    `hnsw` passes index settings through (`{"ef_search": 200, "max_neighbors": 32}`).
    """

    def __init__(self, path, collection: str = "vectors", *, dim: int = DIM, hnsw: dict | None = None):
        # BEGIN SOLUTION
        if not isinstance(collection, str) or not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]{1,510}[A-Za-z0-9]", collection):
            raise ValueError(f"collection must be 3-512 characters of letters, digits, '.', '_' or '-', got {collection!r}")
        chromadb = _require("chromadb")
        from chromadb.config import Settings

        self.dim = dim
        Path(path).mkdir(parents=True, exist_ok=True)
        self._client = chromadb.PersistentClient(path=str(path), settings=Settings(anonymized_telemetry=False))
        self._col = self._client.get_or_create_collection(
            collection, embedding_function=None, configuration={"hnsw": {"space": "cosine", **(hnsw or {})}})
        # END SOLUTION

    def count(self) -> int:
        # BEGIN SOLUTION
        return self._col.count()
        # END SOLUTION

    def _upsert(self, ids, vectors, metadatas):
        # BEGIN SOLUTION
        step = self._client.get_max_batch_size()
        for i in range(0, len(ids), step):
            # Chroma refuses an empty metadata dict; None means "no metadata".
            self._col.upsert(ids=ids[i:i + step], embeddings=vectors[i:i + step],
                             metadatas=[m or None for m in metadatas[i:i + step]])
        # END SOLUTION

    def _search(self, vector, k, where):
        # BEGIN SOLUTION
        if where:
            clauses = [{key: value} for key, value in where.items()]
            where = clauses[0] if len(clauses) == 1 else {"$and": clauses}
        res = self._col.query(query_embeddings=vector[None], n_results=k, where=where or None,
                              include=["metadatas", "distances"])
        # Chroma's cosine "distance" is 1 - cosine similarity.
        return [(id_, 1.0 - d, m or {})
                for id_, d, m in zip(res["ids"][0], res["distances"][0], res["metadatas"][0])]
        # END SOLUTION

    def _delete(self, ids):
        # BEGIN SOLUTION
        self._col.delete(ids=ids)
        # END SOLUTION

    def close(self) -> None:
        # BEGIN SOLUTION
        self._client.close()
        # END SOLUTION


# --- 3. FAISS -------------------------------------------------------------------------------

FAISS_KINDS = ("flat", "hnsw", "ivf")


class FaissStore(VectorStore):
    """A FAISS index behind the protocol: `flat` (exact), `hnsw` (a graph) or `ivf`
    (k-means buckets). FAISS only knows int64 labels and vectors, so the store keeps the
    id <-> label map and the metadata itself, and saves both next to the index.

        store = FaissStore("hnsw", path=tmp_path / "faiss")
        store.add(["t01"], ["The night ferry leaves at 23:40."])   # saved at once
        FaissStore("hnsw", path=tmp_path / "faiss").count()  -> 1

    With a path, every add and delete is saved before it returns, atomically: each file is
    written to a temporary name and moved into place with `os.replace`, so a crash (even
    kill -9) leaves the previous save or the new one, never half a file. `rows.json`
    records the index's SHA-256 and row count, checked on open: a pair of files from two
    different saves is a clear ValueError, not ids paired with the wrong vectors. A store
    folder has one writer: two processes adding to one folder at once overwrite each
    other's saves (use a server database such as pgvector for several writers).

    Deletes: flat and IVF indexes remove vectors; an HNSW graph cannot, so a deleted or
    replaced row stays in the graph as a tombstone and searches skip it (real systems
    rebuild the graph once tombstones pile up). Filters and tombstones use FAISS's
    IDSelector, so only allowed labels are returned.

    Knobs (read at search time, so you can sweep them): `ef_search` (HNSW candidates; 400
    gives recall@10 ~0.99 on 10k random 384-d vectors, the hardest case), `nprobe` (IVF
    buckets visited, default nlist / 4). IVF trains its `nlist` buckets on the first batch
    it is given (default sqrt(n), at most n / 39); add a representative first batch.
    """

    def __init__(self, kind: str = "flat", path=None, *, dim: int = DIM, m: int = 32,
                 ef_construction: int = 40, ef_search: int = 400, nlist: int | None = None,
                 nprobe: int | None = None):
        # BEGIN SOLUTION
        if kind not in FAISS_KINDS:
            raise ValueError(f"kind must be one of {FAISS_KINDS}, got {kind!r}")
        self.faiss = _require("faiss")
        self.kind, self.dim, self.path = kind, dim, Path(path) if path is not None else None
        self.m, self.ef_construction, self.ef_search = m, ef_construction, ef_search
        self.nlist, self.nprobe = nlist, nprobe
        self._index = None              # built at the first add (IVF needs data to train)
        self._label: dict[str, int] = {}               # id -> label
        self._rows: dict[int, tuple[str, dict]] = {}   # label -> (id, metadata), live rows only
        self._next = 0
        if self.path is not None and (self.path / "rows.json").is_file():
            saved = json.loads((self.path / "rows.json").read_text())
            if saved["kind"] != kind or saved["dim"] != dim:
                raise ValueError(f"path holds a {saved['kind']} index of dim {saved['dim']}, not {kind} of dim {dim}")
            blob = (self.path / "index.faiss").read_bytes()
            if saved.get("sha256") not in (None, hashlib.sha256(blob).hexdigest()):
                raise ValueError(f"{self.path}: index.faiss and rows.json come from different saves "
                                 "(a save was interrupted); rebuild the store from its source texts")
            self._index = self.faiss.deserialize_index(np.frombuffer(blob, dtype=np.uint8))
            live = len(saved["rows"])
            if self._index.ntotal < live or kind != "hnsw" and self._index.ntotal != live:
                raise ValueError(f"{self.path}: the index holds {self._index.ntotal} vectors but rows.json lists "
                                 f"{live} rows; rebuild the store from its source texts")
            self._next, self.nlist = saved["next"], saved["nlist"]
            for label, id_, meta in saved["rows"]:
                self._rows[label] = (id_, meta)
                self._label[id_] = label
        # END SOLUTION

    def count(self) -> int:
        # BEGIN SOLUTION
        return len(self._rows)
        # END SOLUTION

    def _build(self, first: np.ndarray):
        # BEGIN SOLUTION
        faiss = self.faiss
        if self.kind == "flat":
            base = faiss.IndexFlatIP(self.dim)
        elif self.kind == "hnsw":
            base = faiss.IndexHNSWFlat(self.dim, self.m, faiss.METRIC_INNER_PRODUCT)
            base.hnsw.efConstruction = self.ef_construction
        else:
            n = len(first)
            self.nlist = self.nlist or max(1, min(int(np.sqrt(n)), n // 39))
            if n < self.nlist:
                raise ValueError(f"an IVF index with nlist={self.nlist} needs at least that many vectors in its first batch, got {n}")
            self._quantizer = faiss.IndexFlatIP(self.dim)
            base = faiss.IndexIVFFlat(self._quantizer, self.dim, self.nlist, faiss.METRIC_INNER_PRODUCT)
            base.cp.min_points_per_centroid = 1  # small first batches are fine (one bucket): no warning
            base.train(first)
            return base  # IVF stores our labels itself; IndexIDMap's remove_ids breaks on IVF
        return faiss.IndexIDMap2(base)
        # END SOLUTION

    def _upsert(self, ids, vectors, metadatas):
        # BEGIN SOLUTION
        if self._index is None:
            self._index = self._build(vectors)
        self._delete([i for i in ids if i in self._label])  # replace = delete + add
        labels = np.arange(self._next, self._next + len(ids), dtype=np.int64)
        self._next += len(ids)
        self._index.add_with_ids(vectors, labels)
        for label, id_, meta in zip(labels.tolist(), ids, metadatas):
            self._rows[label] = (id_, meta)
            self._label[id_] = label
        if self.path is not None:
            self.save()
        # END SOLUTION

    def _search(self, vector, k, where):
        # BEGIN SOLUTION
        if self._index is None or not self._rows:
            return []
        faiss = self.faiss
        selector = None
        if where or self._index.ntotal > len(self._rows):  # a filter, or HNSW tombstones
            allowed = np.array([label for label, (_, m) in self._rows.items() if matches(m, where)], dtype=np.int64)
            if len(allowed) == 0:
                return []
            selector = faiss.IDSelectorBatch(allowed)
        if self.kind == "hnsw":
            params = faiss.SearchParametersHNSW(efSearch=max(self.ef_search, k), sel=selector)
        elif self.kind == "ivf":
            params = faiss.SearchParametersIVF(nprobe=self.nprobe or max(1, self.nlist // 4), sel=selector)
        else:
            params = faiss.SearchParameters(sel=selector) if selector is not None else None
        scores, labels = self._index.search(vector[None], min(k, len(self._rows)), params=params)
        return [(self._rows[label][0], float(s), self._rows[label][1])
                for s, label in zip(scores[0], labels[0].tolist()) if label in self._rows]
        # END SOLUTION

    def _delete(self, ids):
        # BEGIN SOLUTION
        labels = [self._label.pop(i) for i in ids if i in self._label]
        for label in labels:
            del self._rows[label]
        if labels and self.kind != "hnsw":
            self._index.remove_ids(np.array(labels, dtype=np.int64))
        if labels and self.path is not None:
            self.save()
        # END SOLUTION

    def save(self) -> None:
        """Write `index.faiss` and `rows.json` (labels, ids, metadata, the index's SHA-256)
        into `path`, each through a temporary file and `os.replace` (atomic)."""
        # BEGIN SOLUTION
        if self.path is None:
            raise ValueError("this FaissStore has no path to save to: FaissStore(kind, path=...)")
        if self._index is None:
            return
        self.path.mkdir(parents=True, exist_ok=True)
        blob = self.faiss.serialize_index(self._index).tobytes()
        rows = [[label, id_, meta] for label, (id_, meta) in self._rows.items()]
        saved = {"kind": self.kind, "dim": self.dim, "next": self._next, "nlist": self.nlist, "rows": rows,
                 "sha256": hashlib.sha256(blob).hexdigest()}
        for name, data in (("index.faiss", blob), ("rows.json", json.dumps(saved).encode())):
            tmp = self.path / f".{name}.tmp"
            with open(tmp, "wb") as f:
                f.write(data)
                f.flush()
                os.fsync(f.fileno())
            os.replace(tmp, self.path / name)
        # END SOLUTION

    def close(self) -> None:
        # BEGIN SOLUTION
        if self.path is not None:
            self.save()
        # END SOLUTION


# --- 4. LanceDB and Qdrant ------------------------------------------------------------------

class LanceStore(VectorStore):
    """A LanceDB table in the folder `path` (columnar files, no server). Metadata is one
    JSON column; `where` becomes a SQL filter on it (`json_get_string(metadata, 'topic') =
    'food'`), applied before the vector search (prefilter). Searches are exact scans unless
    you build an index (`table.create_index`), which pays off from about 100k rows. A
    `table` name that is not letters, digits and _ is a ValueError (it goes into SQL).

        store = LanceStore(tmp_path / "lance")
        store.add(["f01"], ["Rye bread is ready at six."], [{"topic": "food"}])
        store.query("bread", k=1, where={"topic": "food"})  -> [("f01", 0.6, {"topic": "food"})]
    """

    def __init__(self, path, table: str = "vectors", *, dim: int = DIM):
        # BEGIN SOLUTION
        if not isinstance(table, str) or not _KEY.match(table):
            raise ValueError(f"table must be a simple name (letters, digits, _), got {table!r}")
        lancedb = _import_lancedb()
        import pyarrow as pa

        self.dim, self._pa = dim, pa
        self._schema = pa.schema([pa.field("id", pa.string()),
                                  pa.field("vector", pa.list_(pa.float32(), dim)),
                                  pa.field("metadata", pa.json_(pa.utf8()))])
        self._db = lancedb.connect(str(path))
        try:
            self._table = self._db.open_table(table)
        except ValueError:  # "Table 'vectors' was not found"
            self._table = self._db.create_table(table, schema=self._schema)
        # END SOLUTION

    def count(self) -> int:
        # BEGIN SOLUTION
        return self._table.count_rows()
        # END SOLUTION

    def _upsert(self, ids, vectors, metadatas):
        # BEGIN SOLUTION
        pa = self._pa
        data = pa.table({
            "id": pa.array(ids, pa.string()),
            "vector": pa.FixedSizeListArray.from_arrays(pa.array(vectors.ravel(), pa.float32()), self.dim),
            "metadata": pa.array([json.dumps(m) for m in metadatas], pa.json_(pa.utf8())),
        }, schema=self._schema)
        (self._table.merge_insert("id").when_matched_update_all().when_not_matched_insert_all()
         .execute(data))
        # END SOLUTION

    def _search(self, vector, k, where):
        # BEGIN SOLUTION
        search = self._table.search(vector).metric("cosine").limit(k)
        if where:
            clauses = []
            for key, value in where.items():
                if isinstance(value, bool):
                    clauses.append(f"json_get_bool(metadata, '{key}') = {str(value).lower()}")
                elif isinstance(value, int):
                    clauses.append(f"json_get_int(metadata, '{key}') = {value}")
                elif isinstance(value, float):
                    clauses.append(f"json_get_float(metadata, '{key}') = {value!r}")
                else:
                    quoted = value.replace("'", "''")  # SQL string literal
                    clauses.append(f"json_get_string(metadata, '{key}') = '{quoted}'")
            search = search.where(" AND ".join(clauses), prefilter=True)
        rows = search.select(["id", "metadata", "_distance"]).to_list()
        # Lance's cosine `_distance` is 1 - cosine similarity.
        return [(r["id"], 1.0 - r["_distance"], json.loads(r["metadata"])) for r in rows]
        # END SOLUTION

    def _delete(self, ids):
        # BEGIN SOLUTION
        quoted = ", ".join("'" + i.replace("'", "''") + "'" for i in ids)
        self._table.delete(f"id IN ({quoted})")
        # END SOLUTION


class QdrantStore(VectorStore):
    """A Qdrant collection in local mode: `QdrantClient(path=...)` keeps it in a folder with
    no server (one client per folder at a time; exact search); with no path it lives in
    memory. Local mode is for prototypes: it commits every point to SQLite one by one, so
    10k points take minutes on a slow disk. The same code talks to a Qdrant server with
    `QdrantClient(url=...)`, which has an HNSW index and bulk writes.

    Qdrant point ids must be integers or UUIDs, so the store uses a UUID derived from each
    id (`uuid5`) and keeps the original id in the payload: `{"id": "t01", "meta": {...}}`;
    `where={"topic": "food"}` becomes a filter on `meta.topic`. A `collection` name that is
    not letters, digits and _ is a ValueError.

        store = QdrantStore(tmp_path / "qdrant")
        store.add(["t01"], ["The night ferry leaves at 23:40."])
        store.close(); QdrantStore(tmp_path / "qdrant").count()  -> 1
    """

    def __init__(self, path=None, collection: str = "vectors", *, dim: int = DIM):
        # BEGIN SOLUTION
        if not isinstance(collection, str) or not _KEY.match(collection):
            raise ValueError(f"collection must be a simple name (letters, digits, _), got {collection!r}")
        _require("qdrant_client")
        from qdrant_client import QdrantClient, models

        self.dim, self._models, self._name = dim, models, collection
        self._client = QdrantClient(path=str(path)) if path is not None else QdrantClient(":memory:")
        if not self._client.collection_exists(collection):
            self._client.create_collection(
                collection, vectors_config=models.VectorParams(size=dim, distance=models.Distance.COSINE))
        # END SOLUTION

    @staticmethod
    def point_id(id_: str) -> str:
        """The UUID Qdrant stores for an id (stable across runs)."""
        return str(uuid.uuid5(uuid.NAMESPACE_URL, "aie-vector-db:" + id_))

    def count(self) -> int:
        # BEGIN SOLUTION
        return self._client.count(self._name, exact=True).count
        # END SOLUTION

    def _upsert(self, ids, vectors, metadatas):
        # BEGIN SOLUTION
        points = [self._models.PointStruct(id=self.point_id(i), vector=v.tolist(), payload={"id": i, "meta": m})
                  for i, v, m in zip(ids, vectors, metadatas)]
        for start in range(0, len(points), 1000):
            self._client.upsert(self._name, points=points[start:start + 1000])
        # END SOLUTION

    def _search(self, vector, k, where):
        # BEGIN SOLUTION
        models = self._models
        conditions = []
        for key, value in where.items():
            if isinstance(value, float):  # MatchValue takes str, int and bool only
                conditions.append(models.FieldCondition(key=f"meta.{key}", range=models.Range(gte=value, lte=value)))
            else:
                conditions.append(models.FieldCondition(key=f"meta.{key}", match=models.MatchValue(value=value)))
        res = self._client.query_points(self._name, query=vector.tolist(), limit=k, with_payload=True,
                                        query_filter=models.Filter(must=conditions) if conditions else None)
        hits = [(p.payload["id"], p.score, p.payload["meta"]) for p in res.points]
        # Qdrant matches numbers by value; keep the protocol's strict types (True is not 1).
        return [h for h in hits if matches(h[2], where)]
        # END SOLUTION

    def _delete(self, ids):
        # BEGIN SOLUTION
        self._client.delete(self._name, points_selector=self._models.PointIdsList(
            points=[self.point_id(i) for i in ids]))
        # END SOLUTION

    def close(self) -> None:
        # BEGIN SOLUTION
        self._client.close()
        # END SOLUTION


# --- 5. ground truth ------------------------------------------------------------------------

def exact_search(query_vectors, vectors, k: int):
    """Exact k nearest neighbours by cosine similarity, the ground truth for ANN indexes:
    `(indices, scores)`, each (n_queries, min(k, n)), best first (ties: lower index first).
    Rows are normalised first, so any non-zero vectors work.

        exact_search([[1, 0]], [[1, 0], [0, 1], [0.6, 0.8]], k=2)
        -> (array([[0, 2]]), array([[1. , 0.6]]))
        ValueError naming the argument: k < 1, vectors not a non-empty 2-D array,
        query_vectors not 2-D with as many columns as vectors
    """
    # BEGIN SOLUTION
    if not isinstance(k, (int, np.integer)) or isinstance(k, bool) or k < 1:
        raise ValueError(f"k must be a positive integer, got {k!r}")
    base = np.asarray(vectors, dtype=np.float32)
    if base.ndim != 2 or len(base) == 0:
        raise ValueError(f"vectors must be a non-empty 2-D array (n, dim), got shape {base.shape}")
    queries = np.asarray(query_vectors, dtype=np.float32)
    if queries.ndim != 2 or queries.shape[1] != base.shape[1]:
        raise ValueError(f"query_vectors must be 2-D with {base.shape[1]} columns like vectors, got shape {queries.shape}")
    base = as_unit_rows(base, *base.shape, "vectors")
    queries = as_unit_rows(queries, *queries.shape, "query_vectors")
    k = min(int(k), len(base))
    indices = np.empty((len(queries), k), dtype=np.int64)
    scores = np.empty((len(queries), k), dtype=np.float32)
    for start in range(0, len(queries), 256):  # bound memory: 256 x n scores at a time
        sims = queries[start:start + 256] @ base.T
        for row, s in enumerate(sims, start):
            top = np.argpartition(-s, k - 1)[:k] if k < len(s) else np.arange(len(s))
            top = top[np.lexsort((top, -s[top]))]  # by score, then by index
            indices[row], scores[row] = top, s[top]
    return indices, scores
    # END SOLUTION


def recall_at_k(approx, exact) -> float:
    """The share of the true nearest neighbours an index found, averaged over queries:
    for each query |approx ∩ exact| / |exact|, where k is the length of each `exact` row.

        recall_at_k([[1, 2, 3]], [[1, 2, 4]])  -> 0.667
        recall_at_k([[1, 2]], [[1, 2], [3, 4]]) -> ValueError (approx and exact need one row per
        query each); no exact rows, or an empty one -> ValueError
    """
    # BEGIN SOLUTION
    approx, exact = list(approx), list(exact)
    if not exact:
        raise ValueError("exact must hold one row of true neighbours per query")
    if len(approx) != len(exact):
        raise ValueError(f"approx has {len(approx)} rows but exact has {len(exact)}: one per query")
    total = 0.0
    for found, truth in zip(approx, exact):
        truth = list(truth)
        if not truth:
            raise ValueError("exact has an empty row: every query needs its true neighbours")
        total += len(set(list(found)[:len(truth)]) & set(truth)) / len(truth)
    return total / len(exact)
    # END SOLUTION


# --- 6. benchmark ---------------------------------------------------------------------------

def benchmark(store_factories: dict, n=10_000, queries=100, k: int = 10, *, dim: int = DIM, seed: int = 0):
    """Build time, query latency (p50, p95) and recall@k of each store, as a DataFrame.

    `store_factories` maps a name to a function that returns an empty store. `n` is how
    many seeded random unit vectors to index (or the (n, dim) vectors themselves);
    `queries` likewise (a different seed). Recall is against `exact_search`.

        benchmark({"flat": FaissStore, "hnsw": lambda: FaissStore("hnsw")}, n=1000, queries=20)
        ->   store     n  queries  build_s  p50_ms  p95_ms  recall
             flat   1000       20    0.004   0.110   0.150    1.00
             hnsw   1000       20    0.210   0.150   0.200    1.00

    ValueError naming the argument: store_factories empty or not functions, k < 1, n or
    queries < 1.
    """
    # BEGIN SOLUTION
    import pandas as pd
    from threadpoolctl import threadpool_limits

    if not isinstance(store_factories, dict) or not store_factories:
        raise ValueError("store_factories must be a non-empty dict of name -> function returning a store")
    if not all(callable(f) for f in store_factories.values()):
        raise ValueError("store_factories values must be functions that return an empty store")
    if not isinstance(k, int) or isinstance(k, bool) or k < 1:
        raise ValueError(f"k must be a positive integer, got {k!r}")
    if isinstance(n, (int, np.integer)):
        if n < 1:
            raise ValueError(f"n must be positive, got {n}")
        n = random_unit_vectors(int(n), dim, seed)
    if isinstance(queries, (int, np.integer)):
        if queries < 1:
            raise ValueError(f"queries must be positive, got {queries}")
        queries = random_unit_vectors(int(queries), dim, seed + 1)
    vectors, query_vectors = np.asarray(n, dtype=np.float32), np.asarray(queries, dtype=np.float32)
    truth, _ = exact_search(query_vectors, vectors, k)
    ids = [str(i) for i in range(len(vectors))]
    rows = []
    for name, factory in store_factories.items():
        store = factory()
        try:
            start = time.perf_counter()
            store.add(ids, vectors=vectors)
            build = time.perf_counter() - start
            found, latencies = [], []
            # One query at a time on one thread, as a server answering many users sees them
            # (OpenMP's start-up cost would swamp a sub-millisecond FAISS search).
            with threadpool_limits(limits=1):
                for q in query_vectors:
                    start = time.perf_counter()
                    hits = store.query(vector=q, k=k)
                    latencies.append(time.perf_counter() - start)
                    found.append([int(h[0]) for h in hits])
        finally:
            store.close()
        rows.append({"store": name, "n": len(vectors), "queries": len(query_vectors),
                     "build_s": round(build, 3),
                     "p50_ms": round(float(np.percentile(latencies, 50)) * 1e3, 3),
                     "p95_ms": round(float(np.percentile(latencies, 95)) * 1e3, 3),
                     "recall": round(recall_at_k(found, truth.tolist()), 3)})
    return pd.DataFrame(rows)
    # END SOLUTION


# --- 7. Postgres + pgvector -----------------------------------------------------------------

BULK_ROWS = 1000  # a first load at least this big builds the index afterwards


class PgVectorStore(VectorStore):
    """A Postgres table with a pgvector column and an HNSW index — what Supabase (and many
    other hosted Postgres services) run. `dsn` is any libpq URI (`postgresql://...`).

        CREATE EXTENSION IF NOT EXISTS vector;
        CREATE TABLE vectors (id text PRIMARY KEY, embedding vector(384), metadata jsonb);
        CREATE INDEX ON vectors USING hnsw (embedding vector_cosine_ops);
        SELECT id, 1 - (embedding <=> $1) FROM vectors WHERE metadata @> '{"topic": "food"}'
            ORDER BY embedding <=> $1 LIMIT 5;

    An HNSW scan with a WHERE clause filters the index's candidates afterwards, so a
    selective filter could return fewer than k rows; pgvector 0.8's
    `hnsw.iterative_scan` keeps scanning until k rows pass. `ef_search` is set per session.
    An empty `dsn`, or a `table` name that is not letters, digits and _, is a ValueError.
    """

    def __init__(self, dsn: str, table: str = "vectors", *, dim: int = DIM, m: int = 16,
                 ef_construction: int = 64, ef_search: int = 100):
        # BEGIN SOLUTION
        if not isinstance(dsn, str) or not dsn.strip():
            raise ValueError(f"dsn must be a Postgres connection string, got {dsn!r}")
        if not isinstance(table, str) or not _KEY.match(table):
            raise ValueError(f"table must be a simple name (letters, digits, _), got {table!r}")
        psycopg = _require("psycopg")
        from pgvector.psycopg import register_vector
        from psycopg import sql

        self.dim, self._sql = dim, sql
        self._t = sql.Identifier(table)
        self._conn = psycopg.connect(dsn, autocommit=True)
        self._conn.execute("CREATE EXTENSION IF NOT EXISTS vector")
        register_vector(self._conn)
        self._conn.execute(sql.SQL(
            "CREATE TABLE IF NOT EXISTS {} (id text PRIMARY KEY, embedding vector({}) NOT NULL, "
            "metadata jsonb NOT NULL DEFAULT '{{}}')").format(self._t, sql.Literal(dim)))
        self._index = sql.SQL(
            "CREATE INDEX IF NOT EXISTS {} ON {} USING hnsw (embedding vector_cosine_ops) "
            "WITH (m = {}, ef_construction = {})").format(
            sql.Identifier(f"{table}_hnsw"), self._t, sql.Literal(m), sql.Literal(ef_construction))
        self._drop_index = sql.SQL("DROP INDEX IF EXISTS {}").format(sql.Identifier(f"{table}_hnsw"))
        self._conn.execute(self._index)
        self._conn.execute(sql.SQL("SET hnsw.ef_search = {}").format(sql.Literal(ef_search)))
        self._conn.execute("SET hnsw.iterative_scan = strict_order")
        # END SOLUTION

    def count(self) -> int:
        # BEGIN SOLUTION
        return self._conn.execute(self._sql.SQL("SELECT count(*) FROM {}").format(self._t)).fetchone()[0]
        # END SOLUTION

    def _upsert(self, ids, vectors, metadatas):
        # BEGIN SOLUTION
        from psycopg.types.json import Jsonb

        query = self._sql.SQL(
            "INSERT INTO {} (id, embedding, metadata) VALUES (%s, %s, %s) ON CONFLICT (id) "
            "DO UPDATE SET embedding = EXCLUDED.embedding, metadata = EXCLUDED.metadata").format(self._t)
        # A first big load goes in without the index, which is then built in one pass:
        # about 8x faster than updating the HNSW graph row by row.
        bulk = len(ids) >= BULK_ROWS and self.count() == 0
        with self._conn.transaction(), self._conn.cursor() as cur:
            if bulk:
                cur.execute(self._drop_index)
                cur.execute("SET LOCAL maintenance_work_mem = '512MB'")  # room for the graph
            cur.executemany(query, [(i, v, Jsonb(m)) for i, v, m in zip(ids, vectors, metadatas)])
            if bulk:
                cur.execute(self._index)
        if bulk:
            self._conn.execute(self._sql.SQL("ANALYZE {}").format(self._t))  # fresh planner statistics
        # END SOLUTION

    def _search(self, vector, k, where):
        # BEGIN SOLUTION
        from psycopg.types.json import Jsonb

        # No WHERE without a filter: even `metadata @> '{}'` can make the planner skip the index.
        filter_ = self._sql.SQL("WHERE metadata @> %(where)s" if where else "")
        query = self._sql.SQL(
            "SELECT id, 1 - (embedding <=> %(q)s), metadata FROM {} {} "
            "ORDER BY embedding <=> %(q)s LIMIT %(k)s").format(self._t, filter_)
        rows = self._conn.execute(query, {"q": vector, "where": Jsonb(where), "k": k}).fetchall()
        # jsonb compares numbers by value (2023 matches 2023.0); keep the protocol's strict types.
        return [(i, float(s), m) for i, s, m in rows if matches(m, where)]
        # END SOLUTION

    def _delete(self, ids):
        # BEGIN SOLUTION
        self._conn.execute(self._sql.SQL("DELETE FROM {} WHERE id = ANY(%s)").format(self._t), (ids,))
        # END SOLUTION

    def close(self) -> None:
        # BEGIN SOLUTION
        self._conn.close()
        # END SOLUTION


def table_name_for(key: str, prefix: str = "t_") -> str:
    """A safe, stable table name for any string (a test's folder, a user's name):
    `table_name_for("x") -> "t_11f6ad8ec52a"`."""
    return prefix + hashlib.sha1(key.encode()).hexdigest()[:12]


# --- 8. a managed service behind the same protocol ------------------------------------------

class PineconeStore(VectorStore):
    """Pinecone (managed, no local server) behind the protocol — given, as the pattern for
    any hosted store. `index` is `Pinecone(api_key=...).Index("name")` from the official
    `pinecone` client, on an index created with metric="cosine" (its score is then the
    cosine similarity). Pinecone is eventually consistent: `count()` may lag an `add`.
    Weaviate and MongoDB Atlas follow the same pattern (see the notebook)."""

    def __init__(self, index, namespace: str = "", *, dim: int = DIM):
        self.index, self.namespace, self.dim = index, namespace, dim

    def count(self) -> int:
        summary = self.index.describe_index_stats().namespaces.get(self.namespace)
        return summary.vector_count if summary else 0

    def _upsert(self, ids, vectors, metadatas):
        rows = [{"id": i, "values": v.tolist(), **({"metadata": m} if m else {})}
                for i, v, m in zip(ids, vectors, metadatas)]
        for start in range(0, len(rows), 100):  # Pinecone's advice: batches of up to 100
            self.index.upsert(vectors=rows[start:start + 100], namespace=self.namespace)

    def _search(self, vector, k, where):
        res = self.index.query(vector=vector.tolist(), top_k=k, include_metadata=True, namespace=self.namespace,
                               filter={key: {"$eq": value} for key, value in where.items()} or None)
        return [(m.id, m.score, dict(m.metadata or {})) for m in res.matches]

    def _delete(self, ids):
        self.index.delete(ids=ids, namespace=self.namespace)
