"""Negates Chroma's distance to get "higher is better" (-d), instead of the similarity 1 - d."""

PATCHES = [("        return [(id_, 1.0 - d, m or {})", "        return [(id_, -d, m or {})")]
