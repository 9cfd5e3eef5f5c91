"""Checks the question but not `year` or `version`: year=0 and version="latest" pass silently."""

PATCHES = [('''    year = check_k(year, "year")
    if not isinstance(version, str) or not re.fullmatch(r"[1-9]\\.\\d", version):
        raise ValueError(f"version must be a string like '4.3', got {version!r}")
''', "")]
TESTS = ["test_rewrite_query_rejects_bad_input"]
