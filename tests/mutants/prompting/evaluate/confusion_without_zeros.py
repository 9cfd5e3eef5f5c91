"""Builds the confusion matrix from counts seen only (no zero cells)."""

PATCHES = [("    confusion = {e: {p: 0 for p in labels} for e in labels}\n"
            "    for _, expected, predicted in results:\n"
            "        confusion[expected][predicted] += 1\n",
            "    confusion = {}\n"
            "    for _, expected, predicted in results:\n"
            "        row = confusion.setdefault(expected, {})\n"
            "        row[predicted] = row.get(predicted, 0) + 1\n"),
           ("        support = sum(confusion[label].values())\n        per_label[label] = confusion[label][label] / support",
            "        support = sum(confusion[label].values())\n        per_label[label] = confusion[label].get(label, 0) / support")]
TESTS = ["test_evaluate_measures_accuracy_confusion_and_failures", "test_confusion_is_square_with_zeros", "test_evaluate_rejects_bad_input"]
