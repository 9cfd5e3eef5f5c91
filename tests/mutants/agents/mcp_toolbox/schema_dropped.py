"""Drops the discovered input schema (an empty object schema instead)."""

PATCHES = [
    ('parameters=dict(t.input_schema),',
     'parameters={"type": "object", "properties": {}},'),
]
