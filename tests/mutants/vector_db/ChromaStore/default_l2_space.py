"""Keeps Chroma's default l2 space, so 1 - distance is not a cosine similarity."""

PATCHES = [("configuration={\"hnsw\": {\"space\": \"cosine\", **(hnsw or {})}})",
            "configuration={\"hnsw\": {**(hnsw or {})}})")]
