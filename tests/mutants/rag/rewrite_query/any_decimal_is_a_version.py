"""Takes any decimal number for a version, so "EUR 10.20" becomes version "10.20"."""

PATCHES = [('r"\\s*(?:driftmark\\s+|version\\s+|release\\s+|v)?\\b([1-9]\\.(?:\\d|x))\\b(?!\\.\\d)"',
            'r"\\s*(?:driftmark\\s+|version\\s+|release\\s+|v)?(\\d+\\.(?:\\d+|x))"')]
