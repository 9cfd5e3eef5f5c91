"""Takes only the top k of each list before fusing (depth ignored)."""

PATCHES = [("    lists = {\"bm25\": bm25_search(query, chunks, depth, where=where),\n             \"dense\": dense_search(query, store, depth, where=where)}",
            "    lists = {\"bm25\": bm25_search(query, chunks, k, where=where),\n             \"dense\": dense_search(query, store, k, where=where)}")]
