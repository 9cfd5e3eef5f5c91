"""Accepts a budget of 0 (returns "") instead of rejecting it."""

PATCHES = [("not isinstance(max_tokens, int) or max_tokens <= 0:", "not isinstance(max_tokens, int) or max_tokens < 0:"),
           ("    keep = max_tokens\n", "    if max_tokens == 0:\n        return \"\"\n    keep = max_tokens\n")]
