"""Indexes the upload without the guard: injections accepted, personal data kept."""

PATCHES = [("    refusal, clean = guard(text)\n", "    refusal, clean = None, text\n")]
