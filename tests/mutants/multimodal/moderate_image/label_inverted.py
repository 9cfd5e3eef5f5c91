"""Calls high scores safe and low scores unsafe."""

PATCHES = [('"label": "unsafe" if score >= threshold else "safe"', '"label": "safe" if score >= threshold else "unsafe"')]
