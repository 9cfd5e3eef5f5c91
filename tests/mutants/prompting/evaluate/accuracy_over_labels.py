"""Reports accuracy as the mean of the per-label accuracies (macro), not over items."""

PATCHES = [("        \"accuracy\": (len(results) - len(failures)) / len(results),",
            "        \"accuracy\": sum(per_label.values()) / len(per_label),")]
