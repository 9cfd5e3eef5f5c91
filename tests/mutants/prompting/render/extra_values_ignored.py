"""Ignores values that have no slot (a typo in a slot name goes unnoticed)."""

PATCHES = [("    if unused:\n        raise ValueError(f\"value(s) {unused} have no slot in the template\")\n", "")]
