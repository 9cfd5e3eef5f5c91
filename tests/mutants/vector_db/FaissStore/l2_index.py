"""Builds an L2 index for the flat kind: its scores are squared distances, not similarities."""

PATCHES = [("            base = faiss.IndexFlatIP(self.dim)\n        elif", "            base = faiss.IndexFlatL2(self.dim)\n        elif")]
