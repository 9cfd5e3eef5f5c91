"""Adds up the raw BM25 scores and cosines (different scales) instead of reciprocal ranks."""

PATCHES = [("            entry[\"score\"] += 1.0 / (rrf_k + rank)", "            entry[\"score\"] += hit[\"score\"]")]
