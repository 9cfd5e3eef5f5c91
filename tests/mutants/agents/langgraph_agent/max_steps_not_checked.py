"""Accepts max_steps=0."""

PATCHES = [
    ('    if isinstance(max_steps, bool) or not isinstance(max_steps, int) or max_steps < 1:\n        raise ValueError(f"max_steps must be a positive integer, got {max_steps!r}")\n    tools = langchain_tools(toolbox)\n',
     '    tools = langchain_tools(toolbox)\n'),
]
