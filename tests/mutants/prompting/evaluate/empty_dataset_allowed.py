"""Does not check the dataset: an empty one divides by zero."""

PATCHES = [("    if not isinstance(dataset, (list, tuple)) or not dataset:\n"
            "        raise ValueError(\"dataset must be a non-empty list of (text, expected) pairs\")\n", "")]
