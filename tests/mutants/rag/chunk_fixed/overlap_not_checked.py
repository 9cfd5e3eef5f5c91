"""Accepts an overlap as big as the window (or negative) instead of rejecting it."""

PATCHES = [("or not 0 <= overlap_tokens < size:", "or overlap_tokens == size:")]
