"""Checks at the boundary: what every public entry point of `aie` (and every reference
solution) does to its arguments before any model or library sees them. A bad argument gets
an `InvalidInputError` (a ValueError) or an `InvalidTypeError` (a TypeError) whose message
names the argument, the rule and the fix, instead of a traceback from deep inside
llama.cpp, numpy or scikit-learn, or a silently wrong answer.

    from aie import validate
    validate.text("hi", "prompt")                      -> "hi"
    validate.text("\\ud800", "prompt")                  -> InvalidInputError: prompt has a lone
                                                          surrogate at index 0 ...
    validate.vectors([[1.0, float("nan")]], "vectors") -> InvalidInputError: vectors[0] has
                                                          a NaN or infinite value ...
    validate.positive_int(0, "k")                      -> InvalidInputError: k must be a
                                                          positive integer, got 0

The rules, one place: text is a `str` of valid Unicode (no lone surrogates, which cannot be
encoded as UTF-8 and so cannot reach a tokenizer) of at most MAX_TEXT_CHARS characters;
vectors are finite, non-zero and of the right dimension; ids are unique non-empty strings;
counts are positive integers (not bools, not floats). Not covered: what a text *means*
(prompt injection and the like are a later lab's topic).
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Iterable
from typing import Any

import numpy as np

from .errors import InvalidInputError, InvalidTypeError

# A million characters is about 250,000 tokens: more than any model in the registry reads
# in one call. Anything longer is a mistake (a whole file, a runaway loop), not a prompt.
MAX_TEXT_CHARS = 1_000_000

__all__ = [
    "MAX_TEXT_CHARS",
    "text",
    "texts",
    "positive_int",
    "number",
    "vector",
    "vectors",
    "ids",
    "one_of",
]


def _type_name(value: Any) -> str:
    return type(value).__name__


def text(value: Any, name: str, *, allow_empty: bool = True, max_chars: int = MAX_TEXT_CHARS) -> str:
    """`value` if it is a valid text, else an error naming `name` and the rule.

    text("hello", "prompt") -> "hello"
    text(b"hello", "prompt") -> InvalidTypeError (decode bytes first: b.decode("utf-8"))
    """
    if not isinstance(value, str):
        hint = ' (decode bytes first: value.decode("utf-8"))' if isinstance(value, bytes | bytearray) else ""
        raise InvalidTypeError(f"{name} must be a string, got {_type_name(value)}{hint}")
    if not allow_empty and not value.strip():
        raise InvalidInputError(f"{name} must not be empty or only whitespace")
    if len(value) > max_chars:
        raise InvalidInputError(
            f"{name} is {len(value):,} characters, over the limit of {max_chars:,}: "
            "split it into chunks (lab 05 shows how) or shorten it"
        )
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise InvalidInputError(
            f"{name} has a lone surrogate at index {exc.start} ({value[exc.start]!r}), which is not "
            "valid Unicode and cannot be encoded as UTF-8: it usually comes from decoding bytes "
            "with errors='surrogateescape'; decode with errors='replace' or remove it"
        ) from None
    return value


def texts(values: Any, name: str, *, allow_empty: bool = True, allow_empty_list: bool = True,
          max_chars: int = MAX_TEXT_CHARS) -> list[str]:
    """A list of valid texts; a bare string is refused (it would be read character by character).

    texts(["a", "b"], "texts") -> ["a", "b"]
    texts("ab", "texts")       -> InvalidTypeError: wrap a single text as [text]
    """
    if isinstance(values, str | bytes):
        raise InvalidTypeError(f"{name} must be a list of strings, got one {_type_name(values)}: wrap a single text as [text]")
    if isinstance(values, np.ndarray) and values.ndim != 1:
        raise InvalidTypeError(f"{name} must be a list of strings, got a {values.ndim}-D array")
    if not isinstance(values, Iterable):
        raise InvalidTypeError(f"{name} must be a list of strings, got {_type_name(values)}")
    out = [text(v, f"{name}[{i}]", allow_empty=allow_empty, max_chars=max_chars) for i, v in enumerate(values)]
    if not out and not allow_empty_list:
        raise InvalidInputError(f"{name} must not be empty: give at least one text")
    return out


def positive_int(value: Any, name: str, *, maximum: int | None = None, allow_zero: bool = False) -> int:
    """An int >= 1 (or >= 0 with allow_zero); bools and floats are refused, numpy ints accepted.

    positive_int(3, "k") -> 3;  positive_int(2.0, "k") -> InvalidTypeError;  positive_int(0, "k") -> InvalidInputError
    """
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise InvalidTypeError(f"{name} must be an integer, got {_type_name(value)} {value!r}")
    value = int(value)
    low = 0 if allow_zero else 1
    if value < low:
        kind = "a non-negative" if allow_zero else "a positive"
        raise InvalidInputError(f"{name} must be {kind} integer, got {value}")
    if maximum is not None and value > maximum:
        raise InvalidInputError(f"{name} must be at most {maximum:,}, got {value:,}")
    return value


def number(value: Any, name: str, *, minimum: float | None = None, maximum: float | None = None,
           exclusive_minimum: bool = False) -> float:
    """A finite real number within [minimum, maximum] (minimum excluded with exclusive_minimum).

    number(0.5, "temperature", minimum=0, maximum=2) -> 0.5
    number(float("nan"), "C", minimum=0, exclusive_minimum=True) -> InvalidInputError
    """
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise InvalidTypeError(f"{name} must be a number, got {_type_name(value)} {value!r}")
    value = float(value)
    if not math.isfinite(value):
        raise InvalidInputError(f"{name} must be a finite number, got {value}")
    if minimum is not None and (value <= minimum if exclusive_minimum else value < minimum):
        rule = f"greater than {minimum}" if exclusive_minimum else f"at least {minimum}"
        raise InvalidInputError(f"{name} must be {rule}, got {value}")
    if maximum is not None and value > maximum:
        raise InvalidInputError(f"{name} must be at most {maximum}, got {value}")
    return value


def vectors(value: Any, name: str, *, dim: int | None = None, nonzero: bool = True,
            allow_empty: bool = False) -> np.ndarray:
    """A 2-D float32 array of finite rows (non-zero rows unless nonzero=False), `dim` columns if given.

    vectors([[3, 4]], "vectors").shape -> (1, 2)
    vectors([[0, 0]], "vectors")       -> InvalidInputError: vectors[0] is all zeros ...
    """
    try:
        arr = np.asarray(value, dtype=np.float32)
    except (TypeError, ValueError):
        raise InvalidTypeError(
            f"{name} must be a 2-D array of numbers (one row per item), got {_type_name(value)} "
            "that numpy cannot read as one (ragged rows or non-numbers)"
        ) from None
    if arr.ndim != 2:
        raise InvalidInputError(f"{name} must be 2-D (one row per item), got shape {arr.shape}")
    if arr.shape[0] == 0 and not allow_empty:
        raise InvalidInputError(f"{name} must have at least one row")
    if dim is not None and arr.shape[1] != dim:
        raise InvalidInputError(f"{name} must have {dim} columns (the embedding dimension), got {arr.shape[1]}")
    finite = np.isfinite(arr).all(axis=1)
    if not finite.all():
        bad = int(np.flatnonzero(~finite)[0])
        raise InvalidInputError(
            f"{name}[{bad}] has a NaN or infinite value: a distance to it means nothing. "
            "Drop or recompute that row"
        )
    if nonzero and arr.shape[0]:
        zero = ~np.any(arr != 0, axis=1)
        if zero.any():
            bad = int(np.flatnonzero(zero)[0])
            raise InvalidInputError(
                f"{name}[{bad}] is all zeros: it has no direction, so its cosine similarity is undefined. "
                "Drop that row"
            )
    return arr


def vector(value: Any, name: str, *, dim: int | None = None, nonzero: bool = True) -> np.ndarray:
    """One finite vector as a 1-D float32 array; a (1, d) array is accepted and flattened.

    vector([3, 4], "query").shape -> (2,)
    """
    try:
        arr = np.asarray(value, dtype=np.float32)
    except (TypeError, ValueError):
        raise InvalidTypeError(f"{name} must be a 1-D array of numbers, got {_type_name(value)}") from None
    if arr.ndim == 2 and arr.shape[0] == 1:
        arr = arr[0]
    if arr.ndim != 1 or arr.size == 0:
        raise InvalidInputError(f"{name} must be one non-empty vector (1-D), got shape {arr.shape}")
    if dim is not None and arr.shape[0] != dim:
        raise InvalidInputError(f"{name} must have {dim} values (the embedding dimension), got {arr.shape[0]}")
    if not np.isfinite(arr).all():
        raise InvalidInputError(f"{name} has a NaN or infinite value: a distance to it means nothing")
    if nonzero and not np.any(arr != 0):
        raise InvalidInputError(f"{name} is all zeros: it has no direction, so its cosine similarity is undefined")
    return arr


def ids(values: Any, name: str = "ids") -> list[str]:
    """Unique, non-empty string ids.

    ids(["a", "b"]) -> ["a", "b"];  ids(["a", "a"]) -> InvalidInputError naming "a"
    """
    if isinstance(values, str | bytes) or not isinstance(values, Iterable):
        raise InvalidTypeError(f"{name} must be a list of strings, got {_type_name(values)}")
    out = list(values)
    for i, v in enumerate(out):
        if not isinstance(v, str) or not v:
            raise InvalidTypeError(f"{name}[{i}] must be a non-empty string, got {v!r}")
        text(v, f"{name}[{i}]")
    seen: set[str] = set()
    for v in out:
        if v in seen:
            raise InvalidInputError(f"{name} must be unique: {v!r} appears more than once")
        seen.add(v)
    return out


def one_of(value: Any, name: str, options: Iterable[Any]) -> Any:
    """`value` if it is one of `options`, else an error listing them."""
    options = list(options)
    if value not in options:
        raise InvalidInputError(f"{name} must be one of {options}, got {value!r}")
    return value
