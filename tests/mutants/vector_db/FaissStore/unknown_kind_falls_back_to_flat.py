"""Treats an unknown kind as "flat" instead of rejecting it."""

PATCHES = [("        if kind not in FAISS_KINDS:\n            raise ValueError(f\"kind must be one of {FAISS_KINDS}, got {kind!r}\")\n",
            "        if kind not in FAISS_KINDS:\n            kind = \"flat\"\n")]
TESTS = ["test_faiss_rejects_an_unknown_kind"]
