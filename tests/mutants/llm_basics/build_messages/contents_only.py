"""Measures the contents only, not the chat format's per-message overhead."""


def _size(messages, model):
    return sum(len(tokens.encode(m["content"], model)) for m in messages)


PATCHES = [("    while kept and tokens.count_tokens(head + kept + tail, model) > max_context_tokens:",
            "    while kept and _size(head + kept + tail, model) > max_context_tokens:")]
