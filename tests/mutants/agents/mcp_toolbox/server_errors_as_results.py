"""Returns an MCP error result's text as if the call had worked."""

PATCHES = [
    ('            if result.is_error:\n',
     '            if False:\n'),
]
