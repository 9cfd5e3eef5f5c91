"""Returns Chroma's cosine distance as the score (lower is better), not 1 - distance."""

PATCHES = [("        return [(id_, 1.0 - d, m or {})", "        return [(id_, d, m or {})")]
