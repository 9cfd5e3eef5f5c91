"""Computes per_label accuracy over the predicted labels instead of the expected ones."""

PATCHES = [("        support = sum(confusion[label].values())", "        support = sum(row[label] for row in confusion.values()) or 1")]
