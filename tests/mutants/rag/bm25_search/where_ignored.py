"""Ignores the where filter."""

PATCHES = [("    pool = [c for c in chunks if matches(c, where)]\n    if not pool:\n        return []\n    retriever = _bm25_index(pool)",
            "    pool = list(chunks)\n    if not pool:\n        return []\n    retriever = _bm25_index(pool)")]
