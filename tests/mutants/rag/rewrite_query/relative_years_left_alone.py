"""Leaves "this year" and "last year" as words: the query keeps them and no year is set."""

PATCHES = [("    for phrase, offset in _RELATIVE_YEAR.items():", "    for phrase, offset in {}.items():")]
TESTS = ["test_rewrite_query_worked_example", "test_rewrite_query_reads_versions_years_and_periods"]
