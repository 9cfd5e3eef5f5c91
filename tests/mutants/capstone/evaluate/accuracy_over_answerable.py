"""Scores accuracy only over answerable questions but divides by all of them."""

PATCHES = [("        correct.append(bool(rag.answer_matches(text, q[\"answer\"])))\n",
            "        correct.append(bool(q.get(\"doc_ids\")) and bool(rag.answer_matches(text, q[\"answer\"])))\n")]
TESTS = ["test_evaluate_reports_lab05_metrics"]
