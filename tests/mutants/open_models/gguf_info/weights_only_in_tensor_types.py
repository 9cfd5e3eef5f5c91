"""Counts types of the 2-D weights only, leaving out the F32 norms."""

PATCHES = [("    for t in reader.tensors:\n        types[t.tensor_type.name] = types.get(t.tensor_type.name, 0) + 1\n",
            "    for t in reader.tensors:\n        if len(t.shape) > 1:\n            types[t.tensor_type.name] = types.get(t.tensor_type.name, 0) + 1\n")]
