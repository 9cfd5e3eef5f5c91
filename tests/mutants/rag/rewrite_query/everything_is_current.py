"""Never says "past": a question before a version or about an old year boosts today's pages."""

PATCHES = [('''    if relation == "before":
        period = "past"''', '''    if False:
        period = "past"'''),
           ('    elif relation == "in" and version_key', '    elif False and version_key'),
           ('    elif named_year is not None and named_year < year:', '    elif False:'),
           ('    elif relation is None and named_year is None and _THEN', '    elif False and _THEN')]
TESTS = ["test_rewrite_query_reads_versions_years_and_periods"]
