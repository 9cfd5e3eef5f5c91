"""Takes exclude_seen="c002" as a set of characters instead of rejecting one string."""

PATCHES = [("    if isinstance(exclude_seen, str):\n        raise ValueError(\"exclude_seen must be a collection of ids, not one string\")\n", "")]
