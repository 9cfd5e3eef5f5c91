"""Cuts at '#' lines inside ``` code fences too (a shell comment is not a heading)."""

PATCHES = [("        if line.lstrip().startswith(\"```\"):\n            in_fence = not in_fence\n", "")]
