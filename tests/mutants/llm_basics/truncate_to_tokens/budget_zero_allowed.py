"""Accepts a budget of 0 (returns "") instead of rejecting it."""

PATCHES = [("isinstance(max_tokens, bool) or max_tokens <= 0:", "isinstance(max_tokens, bool) or max_tokens < 0:"),
           ("    keep = max_tokens\n", "    if max_tokens == 0:\n        return \"\"\n    keep = max_tokens\n")]
