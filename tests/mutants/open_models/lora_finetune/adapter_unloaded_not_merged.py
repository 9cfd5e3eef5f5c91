"""Removes the adapter with unload() instead of merge_and_unload(): the exported GGUF is the base model."""

PATCHES = [("    merged = model.merge_and_unload()\n", "    merged = model.unload()\n")]
