"""Checks the question's terms only: a number the answer invents passes."""

PATCHES = [("    terms = question_terms(question) + sorted(numbers_in(answer))", "    terms = question_terms(question)")]
TESTS = ["test_check_consistency_reads_versions_years_headings_and_the_answers_numbers"]
