"""Forgets the context-window requirement."""

PATCHES = [(" and m.context_window >= min_context", "")]
