"""Counts "\\n".join(texts) once instead of each text."""

PATCHES = [("    n_tokens = sum(tokens.count_tokens(t, model) for t in texts)",
            "    n_tokens = tokens.count_tokens(\"\\n\".join(texts), model)")]
