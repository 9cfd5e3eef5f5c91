"""Leaves out the item itself but recommends what was already seen."""

PATCHES = [("    seen = set(exclude_seen) | {item_id}", "    seen = {item_id}")]
