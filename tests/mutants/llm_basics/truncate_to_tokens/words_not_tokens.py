"""Keeps the first max_tokens words."""

PATCHES = [(
    """    ids = tokens.encode(text, model)
    if len(ids) <= max_tokens:
        return text
""",
    """    words = text.split(" ")
    if len(words) <= max_tokens:
        return text
    return " ".join(words[:max_tokens])
""",
)]
