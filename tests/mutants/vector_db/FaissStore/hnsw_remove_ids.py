"""Calls remove_ids on every kind of index: an HNSW graph cannot remove vectors and raises."""

PATCHES = [("        if labels and self.kind != \"hnsw\":\n", "        if labels:\n")]
