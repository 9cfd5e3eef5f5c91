"""Concatenates the BM25 list and the dense list instead of fusing their ranks."""

PATCHES = [("    ranked = sorted(fused.values(), key=lambda h: (-h[\"score\"], h[\"id\"]))",
            "    ranked = list(fused.values())")]
