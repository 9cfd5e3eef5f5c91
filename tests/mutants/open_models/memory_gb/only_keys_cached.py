"""Counts the K cache and forgets V: half the KV cache."""

PATCHES = [('    kv = 2 * f["layers"] * f["kv_heads"] * f["head_dim"] * context * 2\n', '    kv = f["layers"] * f["kv_heads"] * f["head_dim"] * context * 2\n')]
