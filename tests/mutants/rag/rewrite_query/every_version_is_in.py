"""Reads the version but not the word before it: "before 4.3" is treated as "in 4.3"."""

PATCHES = [('        relation = "before" if mention.group(1) else "since" if mention.group(2) else "in"',
            '        relation = "in"')]
TESTS = ["test_rewrite_query_worked_example"]
