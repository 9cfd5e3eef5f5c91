"""Looks for the canary as an exact substring: spaced, dashed or lower-cased copies pass unseen."""

def leaked(canary: str, output: str) -> bool:
    if not isinstance(canary, str) or not isinstance(output, str):
        raise TypeError("canary and output must be strings")
    if len(canary) < 8:
        raise ValueError("canary too short")
    return canary in output
