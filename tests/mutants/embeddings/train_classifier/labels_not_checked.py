"""Does not check the labels: an empty or non-string label is learnt like any other."""

PATCHES = [("    for i, label in enumerate(labels):\n        if not isinstance(label, str) or not label:\n"
            "            raise ValueError(f\"labels[{i}] must be a non-empty string, got {label!r}\")\n", "")]
TESTS = ["test_train_classifier_rejects_bad_input"]
