"""Does not add up the messages' tokens."""

PATCHES = [
    ('.get("total_tokens", 0)\n            trace.tokens += tokens\n',
     '.get("total_tokens", 0)\n'),
]
