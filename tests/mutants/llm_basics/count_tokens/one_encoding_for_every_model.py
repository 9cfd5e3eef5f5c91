"""Uses gpt-4o's o200k_base for every model instead of the registry's tokenizer."""


def count_tokens(text: str, model: str) -> int:
    if not isinstance(text, str):
        raise ValueError(f"text must be a string, got {type(text).__name__}")
    registry.get_model(model)
    return len(tokens.get_encoding("o200k_base").encode(text, disallowed_special=()))
