"""Comparisons for graded tests that a learner's object cannot fool.

`got == expected` asks `got` whether it is equal, so an object whose `__eq__` always says
True passes every such test. `same(got, expected)` checks the type first, all the way down
containers, then compares: use it wherever a test compares a learner's result with `==`.

    same(3, 3)                               -> True
    same(3.0, 3)                             -> False   (a float is not the int asked for)
    same([{"role": "user"}], [{"role": "user"}]) -> True
    same(AlwaysEqual(), "text")              -> False
"""

from __future__ import annotations

import math

_NUMBERS = (int, float)


def same_type(got, expected) -> bool:
    """True when `got` has exactly the built-in type of `expected` (bool is not an int here),
    recursively for lists, tuples, dicts and sets."""
    if type(expected) in (list, tuple):
        return type(got) is type(expected) and len(got) == len(expected) and all(
            same_type(g, e) for g, e in zip(got, expected))
    if type(expected) is dict:
        return type(got) is dict and set(got) == set(expected) and all(
            same_type(got[k], expected[k]) for k in expected)
    if type(expected) in (set, frozenset):
        return type(got) is type(expected) and all(type(x) in (str, int, float, bool, tuple, type(None)) for x in got)
    return type(got) is type(expected)


def same(got, expected) -> bool:
    """`got == expected`, but only for a value of the expected built-in type (see module)."""
    return same_type(got, expected) and expected == got


def number(got) -> bool:
    """A real int or float (not a bool, not a look-alike object), finite."""
    return type(got) in _NUMBERS and math.isfinite(got)
