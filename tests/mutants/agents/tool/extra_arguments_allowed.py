"""Lets unknown arguments through (no extra="forbid")."""

PATCHES = [
    ('pydantic.ConfigDict(extra="forbid", strict=True)',
     'pydantic.ConfigDict(strict=True)'),
]
