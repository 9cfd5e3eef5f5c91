"""Flags a score only above the threshold, not at it."""

PATCHES = [('"label": "unsafe" if score >= threshold else "safe"', '"label": "unsafe" if score > threshold else "safe"')]
