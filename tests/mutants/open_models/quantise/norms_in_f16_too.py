"""Writes every tensor as float16, norms included (llama.cpp keeps 1-D tensors in F32)."""

PATCHES = [("            tensors[t.name] = w.astype(np.float32 if w.ndim == 1 else np.float16)\n        return write_gguf(reader, tensors, dst, file_type=1)",
            "            tensors[t.name] = w.astype(np.float16)\n        return write_gguf(reader, tensors, dst, file_type=1)")]
