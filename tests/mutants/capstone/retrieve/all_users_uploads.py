"""Searches every user's uploads, not only the asker's."""

PATCHES = [("hits = kb.rag.bm25_search(question, kb.chunks_for(user), k)",
            "hits = kb.rag.bm25_search(question, kb.chunks + [c for cs in kb.uploads.values() for c in cs], k)")]
