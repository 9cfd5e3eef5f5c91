"""Never checks RAM: a model whose KV cache needs 17 GB is chosen for an 8 GB laptop."""

PATCHES = [("        elif ram is not None and need > ram:\n", "        elif False:\n")]
