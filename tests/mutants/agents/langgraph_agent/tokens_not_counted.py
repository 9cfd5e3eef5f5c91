"""Does not add up the messages' tokens."""

PATCHES = [
    ('            trace.tokens += tokens\n',
     ''),
]
