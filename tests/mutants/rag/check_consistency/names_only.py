"""Checks names only: years and versions ("2023", "4.3") are never missing."""

PATCHES = [("    terms = question_terms(question) + sorted(numbers_in(answer))",
            "    terms = [t for t in question_terms(question) if not any(ch.isdigit() for ch in t)] + sorted(numbers_in(answer))")]
TESTS = ["test_check_consistency_reads_versions_years_headings_and_the_answers_numbers"]
