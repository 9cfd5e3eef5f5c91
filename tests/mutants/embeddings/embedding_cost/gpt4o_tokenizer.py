"""Counts with gpt-4o's o200k_base instead of the embedding model's own tokenizer."""

PATCHES = [("    n_tokens = sum(tokens.count_tokens(t, model) for t in texts)",
            "    n_tokens = sum(tokens.count_tokens(t, \"gpt-4o\") for t in texts)")]
