"""Ignores open_weights: closed models stay in the running."""

PATCHES = [('        if requirements.get("open_weights") and not is_open:\n', "        if False:\n")]
