"""Says a chat that fills the window exactly does not fit (< instead of <=)."""

PATCHES = [("    if need > info.context_window:\n", "    if need >= info.context_window:\n")]
