"""Sorts the sources by id instead of keeping the retrieval order."""

PATCHES = [("    blocks = []\n    for n, chunk in enumerate(chunks, 1):", "    blocks = []\n    chunks = sorted(chunks, key=lambda c: str(c.get(\"id\")))\n    for n, chunk in enumerate(chunks, 1):")]
