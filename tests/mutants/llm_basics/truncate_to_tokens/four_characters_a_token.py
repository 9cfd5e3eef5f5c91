"""Cuts at 4 characters per token (a rule of thumb, not the tokenizer)."""

PATCHES = [(
    """    ids = tokens.encode(text, model)
    if len(ids) <= max_tokens:
        return text
""",
    """    return text[: 4 * max_tokens]
""",
)]
