"""Reads the price as dollars per 1K tokens."""

PATCHES = [("\"usd\": info.cost(n_tokens)}", "\"usd\": n_tokens * info.input_per_1m / 1000}")]
