"""Wraps untrusted text in tags but leaves tags inside it alone: a document can close its block."""

PATCHES = [('        return re.sub(r"<(\\s*/?\\s*(user|document)\\s*-)", r"&lt;\\1", normalise(text), flags=re.IGNORECASE)\n',
            '        return normalise(text)\n')]
