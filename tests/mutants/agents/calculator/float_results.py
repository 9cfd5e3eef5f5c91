"""Returns every result as a float (220.0, not 220)."""

PATCHES = [
    ('    return int(value) if value.is_integer() else value\n',
     '    return value\n'),
]
