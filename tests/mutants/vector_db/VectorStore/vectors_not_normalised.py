"""Stores the vectors as given, without normalising the rows to length 1."""

PATCHES = [("        vectors = as_unit_rows(vectors, len(ids), self.dim, \"vectors\")\n        if metadatas is None:",
            "        vectors = np.asarray(vectors, dtype=np.float32)\n        if vectors.shape != (len(ids), self.dim):\n"
            "            raise ValueError(f\"vectors must be ({len(ids)}, {self.dim})\")\n        if metadatas is None:")]
