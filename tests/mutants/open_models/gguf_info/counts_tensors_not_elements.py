"""Counts tensors instead of adding up their elements: 272 'parameters'."""

PATCHES = [('        "parameters": int(sum(int(t.n_elements) for t in reader.tensors)),', '        "parameters": len(reader.tensors),')]
