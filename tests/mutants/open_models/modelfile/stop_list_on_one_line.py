"""Writes a list of stop strings as one PARAMETER line instead of one line per string."""

PATCHES = [('        values = value if name == "stop" and isinstance(value, (list, tuple)) else [value]\n',
            '        values = [" ".join(value)] if name == "stop" and isinstance(value, (list, tuple)) else [value]\n')]
