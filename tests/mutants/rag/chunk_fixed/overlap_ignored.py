"""Steps a whole window each time, ignoring the overlap."""

PATCHES = [("    step = size - overlap_tokens\n", "    step = size\n")]
