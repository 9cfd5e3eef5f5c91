"""Keeps stepping after a window reached the end: the tail comes again as short extra chunks."""

PATCHES = [("        if start + size >= len(ids):\n            break\n", "")]
