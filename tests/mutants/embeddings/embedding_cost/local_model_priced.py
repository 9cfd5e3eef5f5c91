"""Prices a local model at $0 instead of refusing it."""

PATCHES = [("    if info.provider == \"local\":\n", "    if False:\n")]
