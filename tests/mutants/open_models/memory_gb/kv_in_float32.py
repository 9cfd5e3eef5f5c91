"""Sizes the KV cache in float32 (4 bytes) although llama.cpp keeps it in float16."""

PATCHES = [('    kv = 2 * f["layers"] * f["kv_heads"] * f["head_dim"] * context * 2\n', '    kv = 2 * f["layers"] * f["kv_heads"] * f["head_dim"] * context * 4\n')]
