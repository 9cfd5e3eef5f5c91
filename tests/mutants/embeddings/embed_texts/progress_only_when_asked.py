"""Shows the progress bar only for progress=True (None never shows it)."""

PATCHES = [("        progress = len(texts) >= PROGRESS_THRESHOLD", "        progress = False")]
