"""Makes every [n] a link, even when n is no citation."""

PATCHES = [("lambda m: links.get(m.group(1), m.group(0))",
            "lambda m: links.get(m.group(1), f'<a class=\"cite\" href=\"#\" data-id=\"{m.group(1)}\">{m.group(0)}</a>')")]
