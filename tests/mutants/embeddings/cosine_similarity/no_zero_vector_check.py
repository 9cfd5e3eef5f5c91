"""Divides by a zero length (NaN) instead of rejecting a zero vector."""

PATCHES = [("    if norm_a == 0 or norm_b == 0:\n", "    if False:\n")]
