"""Keeps chunks with a BM25 score of 0 (no query word in common)."""

PATCHES = [("for j, s in zip(ids[0], scores[0]) if s > 0]", "for j, s in zip(ids[0], scores[0])]")]
