"""Does not check batch_size (0 loops forever or fails deep inside)."""

PATCHES = [("    if not isinstance(batch_size, int) or isinstance(batch_size, bool) or batch_size < 1:\n"
            "        raise ValueError(f\"batch_size must be a positive integer, got {batch_size!r}\")\n", ""),
           ("        for start in range(0, len(texts), batch_size):", "        for start in range(0, len(texts), max(batch_size, 1)):")]
