"""Counts ranks from 0 (1 / (rrf_k + 0) for the first hit)."""

PATCHES = [("        for rank, hit in enumerate(hits, 1):", "        for rank, hit in enumerate(hits):")]
