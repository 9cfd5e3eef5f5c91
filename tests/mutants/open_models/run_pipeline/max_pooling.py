"""Max-pools the token vectors instead of averaging them: not the embedding all-MiniLM-L6-v2 was trained to give."""

PATCHES = [("            vector = np.asarray(tokens[0], dtype=np.float32).mean(axis=0)\n",
            "            vector = np.asarray(tokens[0], dtype=np.float32).max(axis=0)\n")]
TESTS = ["test_feature_extraction_matches_sentence_transformers"]
