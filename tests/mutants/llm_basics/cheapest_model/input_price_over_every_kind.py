"""Ranks by input price only, over every kind of model (embedding models included)."""

PATCHES = [("        if m.kind == \"chat\" and m.status != \"retired\"", "        if m.status != \"retired\""),
           ("key=lambda m: (estimate_cost(prompt_tokens, completion_tokens, m.id), m.id)",
            "key=lambda m: (m.input_per_1m, m.id)")]
