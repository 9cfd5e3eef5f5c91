"""Computes per_label accuracy over the predicted labels instead of the expected ones."""

PATCHES = [("        support = sum(confusion[label].values())", "        support = sum(row[label] for row in confusion.values()) or 1")]
TESTS = ["test_evaluate_measures_accuracy_confusion_and_failures", "test_confusion_is_square_with_zeros", "test_evaluate_rejects_bad_input"]
