"""Ranks every item, the item itself included (it is always its own best match)."""

PATCHES = [("    seen = set(exclude_seen) | {item_id}", "    seen = set(exclude_seen)")]
