"""Drops the metadata: every hit comes back with {}."""

PATCHES = [("        self._upsert(ids, vectors, metadatas)\n", "        self._upsert(ids, vectors, [{} for _ in metadatas])\n")]
