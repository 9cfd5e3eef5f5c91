"""Numbers the hits from 0, so citation [1] points at the second passage."""

PATCHES = [('"score": float(h["score"])} for n, h in enumerate(hits, 1)]', '"score": float(h["score"])} for n, h in enumerate(hits)]')]
