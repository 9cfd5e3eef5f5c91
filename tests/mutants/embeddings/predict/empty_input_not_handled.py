"""Sends an empty list to the model (scikit-learn refuses 0 samples)."""

PATCHES = [("    if not texts:\n        return []\n    vectors = _vectors_for(texts, vectors)\n    if vectors.shape[1]",
            "    vectors = _vectors_for(texts, vectors)\n    if vectors.shape[1]")]
