"""Does not check the examples: a string or a malformed pair fails with an unclear error."""

PATCHES = [("    if not isinstance(examples, (list, tuple)):\n"
            "        raise ValueError(f\"examples must be a list of (input, output) pairs, got {type(examples).__name__}\")\n", ""),
           ("        if not isinstance(example, (list, tuple)) or len(example) != 2:\n"
            "            raise ValueError(f\"examples[{i}] must be an (input, output) pair, got {example!r}\")\n", "")]
