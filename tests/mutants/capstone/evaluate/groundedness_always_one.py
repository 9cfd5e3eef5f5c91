"""Reports every answer as grounded without checking it against the passages."""

PATCHES = [("grounded.append(rag.groundedness(text, retrieve(kb, q[\"question\"], k)) if text.strip() else 0.0)",
            "grounded.append(1.0)")]
TESTS = ["test_evaluate_reports_lab05_metrics"]
