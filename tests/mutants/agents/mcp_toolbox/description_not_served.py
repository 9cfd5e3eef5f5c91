"""Serves no description, so the server falls back to the whole docstring."""

PATCHES = [
    ('server.add_tool(served(t), name=t.name, description=t.description, structured_output=False)',
     'server.add_tool(served(t), name=t.name, structured_output=False)'),
]
