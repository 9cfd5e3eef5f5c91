"""Does not pass the where filter to the store."""

PATCHES = [("    for id_, score, meta in store.query(query, k, where=where):", "    for id_, score, meta in store.query(query, k):")]
