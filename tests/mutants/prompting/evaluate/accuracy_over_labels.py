"""Reports accuracy as the mean of the per-label accuracies (macro), not over items."""

PATCHES = [("        \"accuracy\": (len(results) - len(failures)) / len(results),",
            "        \"accuracy\": sum(per_label.values()) / len(per_label),")]
TESTS = ["test_evaluate_measures_accuracy_confusion_and_failures", "test_confusion_is_square_with_zeros", "test_evaluate_rejects_bad_input"]
