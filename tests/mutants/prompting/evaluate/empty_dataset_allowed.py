"""Does not check the dataset: an empty one divides by zero."""

PATCHES = [("    if not isinstance(dataset, (list, tuple)) or not dataset:\n"
            "        raise ValueError(\"dataset must be a non-empty list of (text, expected) pairs\")\n", "")]
TESTS = ["test_evaluate_measures_accuracy_confusion_and_failures", "test_confusion_is_square_with_zeros", "test_evaluate_rejects_bad_input"]
