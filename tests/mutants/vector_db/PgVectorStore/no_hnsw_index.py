"""Never creates the HNSW index: every query is a sequential scan."""

PATCHES = [("        self._conn.execute(self._index)\n        self._conn.execute(sql.SQL(\"SET hnsw.ef_search", "        self._conn.execute(sql.SQL(\"SET hnsw.ef_search")]
TESTS = ["test_pgvector_builds_an_hnsw_cosine_index"]
