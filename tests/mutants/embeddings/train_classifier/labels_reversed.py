"""Fits on the labels in reverse order (texts and labels no longer line up)."""

PATCHES = [("    model.fit(_vectors_for(texts, vectors), list(labels))", "    model.fit(_vectors_for(texts, vectors), list(labels)[::-1])")]
TESTS = ["test_classifier_on_embeddings_beats_the_floor_on_held_out_tickets"]
