"""Validates in lax mode: "3" passes as an integer."""

PATCHES = [
    ('pydantic.ConfigDict(extra="forbid", strict=True)',
     'pydantic.ConfigDict(extra="forbid")'),
]
