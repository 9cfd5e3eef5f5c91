"""Flags any text with a suspicious word ("ignore", "forget"): benign look-alikes are flagged."""

PATCHES = [('    reasons = [name for name, rx in _INJECTION_RES.items() if any(rx.search(v) for v in variants)]\n',
            '    reasons = [name for name, rx in _INJECTION_RES.items() if any(rx.search(v) for v in variants)]\n'
            '    reasons += [w for w in ("ignore", "forget", "disregard", "policy", "reveal") if w in clean.lower()]\n')]
