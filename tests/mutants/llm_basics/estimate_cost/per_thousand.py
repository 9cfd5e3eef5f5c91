"""Reads the prices as dollars per 1K tokens."""

PATCHES = [("info.output_per_1m) / 1_000_000", "info.output_per_1m) / 1_000")]
