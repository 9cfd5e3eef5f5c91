"""Checks only the context window, not the model's output limit."""

PATCHES = [("    if max_output_tokens > info.max_output:\n", "    if False:\n")]
