"""Uses the whole docstring as the description, not its first paragraph."""

PATCHES = [
    ('description = doc.split("\\n\\n")[0].replace("\\n", " ").strip()',
     'description = doc.replace("\\n", " ").strip()'),
]
