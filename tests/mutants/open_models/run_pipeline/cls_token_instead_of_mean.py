"""Takes the first token's vector ([CLS]) instead of the mean over the tokens: not the sentence-transformers embedding."""

PATCHES = [("            vector = np.asarray(tokens[0], dtype=np.float32).mean(axis=0)\n",
            "            vector = np.asarray(tokens[0], dtype=np.float32)[0]\n")]
TESTS = ["test_feature_extraction_matches_sentence_transformers"]
