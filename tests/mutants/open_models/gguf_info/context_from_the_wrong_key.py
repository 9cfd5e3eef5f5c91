"""Reads the context length from the embedding length key."""

PATCHES = [('        "context_length": gguf_field(reader, f"{arch}.context_length"),', '        "context_length": gguf_field(reader, f"{arch}.embedding_length"),')]
