"""Accepts negative token counts."""

PATCHES = [(" or value < 0:\n            raise ValueError(f\"{name} must be a non-negative integer", ":\n            raise ValueError(f\"{name} must be a non-negative integer")]
