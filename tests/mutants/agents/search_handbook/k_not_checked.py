"""Accepts any k (6, True, '3' reach the retriever)."""

PATCHES = [
    ('    if isinstance(k, bool) or not isinstance(k, int) or not 1 <= k <= MAX_K:\n        raise ValueError(f"k must be an integer from 1 to {MAX_K}, got {k!r}")\n',
     ''),
]
