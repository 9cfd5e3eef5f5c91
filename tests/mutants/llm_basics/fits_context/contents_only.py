"""Adds up the contents' tokens (no per-message overhead) but checks max_output."""

PATCHES = [("    prompt = tokens.count_tokens(messages, model)\n",
            "    prompt = sum(len(tokens.encode(m[\"content\"], model)) for m in messages)\n")]
