"""Drops one message at a time instead of a whole user+assistant turn."""

PATCHES = [("        drop = 2 if len(kept) > 1 and kept[0][\"role\"] == \"user\" and kept[1][\"role\"] == \"assistant\" else 1\n",
            "        drop = 1\n")]
