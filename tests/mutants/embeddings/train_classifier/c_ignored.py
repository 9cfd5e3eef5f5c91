"""Ignores C and regularises so hard (C=0.001) that the model learns almost nothing."""

PATCHES = [("    model = LogisticRegression(C=C, max_iter=2000)", "    model = LogisticRegression(C=0.001, max_iter=2000)")]
TESTS = ["test_classifier_on_embeddings_beats_the_floor_on_held_out_tickets"]
