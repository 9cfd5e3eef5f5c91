"""Lets ZeroDivisionError escape instead of a ValueError."""

PATCHES = [
    ('            except ZeroDivisionError:\n                raise ValueError("division by zero") from None\n',
     ''),
]
