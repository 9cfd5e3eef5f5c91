"""Skips the input checks: str(42) is counted, unknown models fall back to o200k_base."""


def count_tokens(text: str, model: str) -> int:
    text = str(text) if text is not None else ""
    info = registry.find_model(model)
    if not text:
        return 0
    if info is None:
        return len(tokens.get_encoding("o200k_base").encode(text, disallowed_special=()))
    kind, _, encoding = info.tokenizer.partition(":")
    if kind == "local":
        return len(tokens.encode(text, model))
    return len(tokens.get_encoding(encoding).encode(text, disallowed_special=()))
