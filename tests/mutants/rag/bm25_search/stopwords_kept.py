"""Tokenises the query without removing stop words, unlike the index."""

PATCHES = [("    query_tokens = bm25s.tokenize([query], stopwords=\"en\", show_progress=False, return_ids=False)[0]",
            "    query_tokens = bm25s.tokenize([query], show_progress=False, return_ids=False)[0]")]
