"""Matches names exactly, so "Canadian" is missing from a page that says "Canada"."""

PATCHES = [("if t not in EVERYWHERE and not _shares(t, words)]", "if t not in EVERYWHERE and t not in words]")]
TESTS = ["test_check_consistency_reads_versions_years_headings_and_the_answers_numbers"]
