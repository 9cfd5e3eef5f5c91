"""Ranks by the raw dot product: longer vectors win whatever their direction."""

PATCHES = [("    base = as_unit_rows(base, *base.shape, \"vectors\")\n    queries = as_unit_rows(queries, *queries.shape, \"query_vectors\")\n", "")]
