"""Puts the model's text into the page without escaping it."""

PATCHES = [('body = re.sub(r"\\[(\\d+)\\]", lambda m: links.get(m.group(1), m.group(0)), html.escape(text))',
            'body = re.sub(r"\\[(\\d+)\\]", lambda m: links.get(m.group(1), m.group(0)), text)')]
