"""Forgets to refuse an empty question list."""

PATCHES = [("    if not isinstance(questions, list) or not questions:\n        raise ValueError(\"questions must be a non-empty list of handbook questions\")\n",
            "    if not questions:\n        return {\"n\": 0, \"k\": k, \"recall\": 0.0, \"mrr\": 0.0, \"groundedness\": 0.0, \"accuracy\": 0.0}\n")]
TESTS = ["test_evaluate_reports_lab05_metrics"]
