"""Searches with LanceDB's default l2 metric, so 1 - _distance is not a cosine similarity."""

PATCHES = [("        search = self._table.search(vector).metric(\"cosine\").limit(k)", "        search = self._table.search(vector).limit(k)")]
