"""Ignores redundancy: plain relevance order whatever lambda_ is."""

PATCHES = [("            return lambda_ * relevance[j] - (1 - lambda_) * redundancy", "            return relevance[j]")]
