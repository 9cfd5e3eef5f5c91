"""The handbook, ready to search: lab 05's chunks and a reference retriever over them, for
set-up whose lesson is elsewhere.

Labs that build on lab 05 (agents' `search_handbook`, the graded tests' shared index)
need the handbook cut into chunks and searched, before or without the learner's own lab
05. They cannot use the reference solution: a class repository ships none, and the grader
(`aie grade --submission`) runs a learner's code where `solutions` cannot be imported. So:

    chunks = load_chunks()                      # 246 chunks of datasets/handbook
    ref = Reference(chunks)
    ref.bm25_search("sauna booking", chunks, 2) -> [{"id": "office-tallinn#3", ..., "score": 7.9}, ...]
    ref.make_retriever("hybrid")("How long is annual leave?", 3) -> [hit, hit, hit]

Not the lesson, and not lab 05's answers: the chunks are data (`datasets/handbook/
chunks.jsonl`, written from the reference chunker by `python -m aie.handbook`, and kept
equal to it by tests/aie/test_handbook.py); the search is the libraries' (`bm25s` for
BM25, all-MiniLM-L6-v2 through `aie.embed` for cosine) fused by reciprocal rank. Lab 05
still asks you to write chunking, BM25, dense and hybrid search yourself, and grades them
against these. Leaves out: `where` filters, MMR, answers.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path

import numpy as np

from aie.data import DATASETS

CHUNKS_PATH = DATASETS / "handbook" / "chunks.jsonl"
_WORD = re.compile(r"[a-z0-9][a-z0-9_.\-]*[a-z0-9]|[a-z0-9]", re.IGNORECASE)  # "10.20", "dm-417", "a"


def load_chunks(path: Path = CHUNKS_PATH) -> list[dict]:
    """Lab 05's chunks of the handbook (128 tokens at most, cut at markdown structure):
    each {"id": "<doc id>#<n>", "source", "headings": [...], "text", "title", "status",
    "section", "version" ("4.3"; "" for pages about no version), "year"}."""
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def index_text(chunk: dict) -> str:
    """What is indexed for a chunk: its heading path (" > "-joined), a newline, its text."""
    headings = chunk.get("headings") or []
    if isinstance(headings, str):
        headings = [h for h in headings.split(" > ") if h]
    path = " > ".join(headings)
    return f"{path}\n{chunk['text']}" if path else chunk["text"]


def _flat(chunk: dict) -> dict:
    meta = {k: v for k, v in chunk.items() if k != "id" and isinstance(v, (str, int, float, bool))}
    meta["headings"] = " > ".join(chunk.get("headings") or [])
    return meta


class DenseStore:
    """Exact cosine search over chunks embedded by `aie.embed` (all-MiniLM-L6-v2), with lab
    04's store protocol: `query(text, k, where=None) -> [(id, cosine, flat metadata)]`.
    Query vectors are cached; `warm(texts)` embeds many in one batch."""

    def __init__(self, chunks: list[dict]):
        from aie.embed import embed

        self._embed = embed
        self._ids = [c["id"] for c in chunks]
        self._meta = [_flat(c) for c in chunks]
        self._vectors = embed([index_text(c) for c in chunks])
        self._queries: dict[str, np.ndarray] = {}

    def warm(self, texts) -> None:
        new = [t for t in dict.fromkeys(texts) if t not in self._queries]
        if new:
            self._queries.update(zip(new, self._embed(new)))

    def query(self, text: str, k: int = 5, where: dict | None = None) -> list[tuple[str, float, dict]]:
        if not isinstance(text, str) or not text.strip():
            raise ValueError(f"text must be a non-empty string, got {text!r:.80}")
        self.warm([text])
        scores = self._vectors @ self._queries[text]
        order = np.argsort(-scores, kind="stable")
        rows = [(self._ids[j], float(scores[j]), dict(self._meta[j])) for j in order
                if all(self._meta[j].get(key) == value for key, value in (where or {}).items())]
        return rows[:k]

    def count(self) -> int:
        return len(self._ids)


class Reference:
    """Reference retrieval over a list of chunks (the handbook's by default): BM25 with
    `bm25s`, dense with a `DenseStore`, and both fused by reciprocal rank (1 / (60 + rank)
    over each top 20). Hits are the chunk's fields plus "score", best first."""

    RRF_K = 60
    DEPTH = 20

    def __init__(self, chunks: list[dict] | None = None):
        self.chunks = load_chunks() if chunks is None else chunks
        self._bm25: dict = {}
        self._store: DenseStore | None = None

    index_text = staticmethod(index_text)

    @property
    def store(self) -> DenseStore:
        if self._store is None:
            self._store = DenseStore(self.chunks)
        return self._store

    def bm25_search(self, query: str, chunks: list[dict] | None = None, k: int = 5) -> list[dict]:
        import bm25s

        chunks = self.chunks if chunks is None else chunks
        key = tuple(c["id"] for c in chunks)
        if key not in self._bm25:
            index = bm25s.BM25()
            index.index(bm25s.tokenize([index_text(c) for c in chunks], stopwords="en", show_progress=False),
                        show_progress=False)
            self._bm25 = {key: index}
        index = self._bm25[key]
        words = [t for t in bm25s.tokenize([query], stopwords="en", show_progress=False, return_ids=False)[0]
                 if t in index.vocab_dict]
        if not words or not chunks:
            return []
        rows, scores = index.retrieve([words], k=min(k, len(chunks)), show_progress=False)
        return [{**chunks[int(j)], "score": float(s)} for j, s in zip(rows[0], scores[0]) if s > 0]

    def dense_search(self, query: str, store=None, k: int = 5) -> list[dict]:
        hits = []
        for id_, score, meta in (self.store if store is None else store).query(query, k):
            hit = {"id": id_, **meta, "score": float(score)}
            if isinstance(hit.get("headings"), str):
                hit["headings"] = [h for h in hit["headings"].split(" > ") if h]
            hits.append(hit)
        return hits

    def hybrid_search(self, query: str, chunks: list[dict] | None = None, store=None, k: int = 5) -> list[dict]:
        fused: dict[str, dict] = {}
        for hits in (self.bm25_search(query, chunks, self.DEPTH), self.dense_search(query, store, self.DEPTH)):
            for rank, hit in enumerate(hits, 1):
                entry = fused.setdefault(hit["id"], {**hit, "score": 0.0})
                entry["score"] += 1.0 / (self.RRF_K + rank)
        return sorted(fused.values(), key=lambda h: (-h["score"], h["id"]))[:k]

    def make_retriever(self, kind: str, chunks: list[dict] | None = None, store=None) -> Callable[[str, int], list[dict]]:
        """(question, k) -> hits, of one kind: "bm25", "dense" or "hybrid"."""
        searches = {"bm25": lambda q, k: self.bm25_search(q, chunks, k),
                    "dense": lambda q, k: self.dense_search(q, store, k),
                    "hybrid": lambda q, k: self.hybrid_search(q, chunks, store, k)}
        if kind not in searches:
            raise ValueError(f"kind must be one of {sorted(searches)}, got {kind!r}")
        return searches[kind]

    @staticmethod
    def groundedness(answer: str, chunks: list) -> float:
        """A test's check (not lab 05's definition, which has its own stop words): the share of
        the answer's words and numbers ("10.20" is one), less bm25s's English stop words, that
        appear in the cited chunks (dicts with "text", or strings)."""
        from bm25s.stopwords import STOPWORDS_EN

        def words(text: str) -> list[str]:
            return [w for w in (m.group(0).lower() for m in _WORD.finditer(text)) if w not in STOPWORDS_EN]

        said = words(answer)
        if not said:
            return 0.0
        source = {w for c in chunks for w in words(index_text(c) if isinstance(c, dict) else str(c))}
        return sum(w in source for w in said) / len(said)


def write_chunks(path: Path = CHUNKS_PATH) -> int:
    """Write the reference chunker's chunks of the handbook to `path`; returns their count."""
    from aie.data import load_handbook
    from solutions.rag import CHUNK_TOKENS, chunk_corpus

    chunks = chunk_corpus(load_handbook(), CHUNK_TOKENS)
    with open(path, "w", encoding="utf-8") as f:
        for chunk in chunks:
            f.write(json.dumps(chunk, ensure_ascii=False) + "\n")
    return len(chunks)


if __name__ == "__main__":  # python -m aie.handbook: re-write the chunks after the chunker changes
    print(f"{write_chunks()} chunks written to {CHUNKS_PATH.relative_to(DATASETS.parent)}")
