"""Returns aie.tokens.count_tokens(text, model): the runtime does the lesson."""


def count_tokens(text: str, model: str) -> int:
    if not isinstance(text, str):
        raise ValueError(f"text must be a string, got {type(text).__name__}")
    registry.get_model(model)
    return tokens.count_tokens(text, model)
