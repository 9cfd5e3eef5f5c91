"""Indexes the chunk's text alone, without its heading path (index_text)."""

PATCHES = [("        corpus = bm25s.tokenize([index_text(c) for c in chunks], stopwords=\"en\", show_progress=False)",
            "        corpus = bm25s.tokenize([c[\"text\"] for c in chunks], stopwords=\"en\", show_progress=False)")]
