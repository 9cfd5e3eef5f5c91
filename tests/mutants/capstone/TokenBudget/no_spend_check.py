"""Accepts negative or fractional spends (a refund by the back door)."""

PATCHES = [("        if isinstance(tokens, bool) or not isinstance(tokens, int) or tokens < 0:\n            raise ValueError(f\"tokens must be a non-negative integer, got {tokens!r}\")\n", "")]
