"""Sends max_tokens=1 whatever the caller asked: the answer is cut after one token."""

PATCHES = [("model=model, max_tokens=max_tokens, temperature=0.0, seed=seed)", "model=model, max_tokens=1, temperature=0.0, seed=seed)")]
