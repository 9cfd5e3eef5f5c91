"""Drops the most recent turns first."""

PATCHES = [("        kept = kept[drop:]\n", "        kept = kept[:-2] if len(kept) > 1 else []\n")]
