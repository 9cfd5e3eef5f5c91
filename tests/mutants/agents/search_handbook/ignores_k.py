"""Always returns MAX_K snippets, whatever k is."""

PATCHES = [
    ('    hits = handbook_retriever()(query, k)[:k]\n',
     '    hits = handbook_retriever()(query, MAX_K)\n'),
]
