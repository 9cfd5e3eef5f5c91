"""Flags every text with a link, a snake_case name or a word like "ignore": look-alike questions are refused."""

PATCHES = [('    score = 0.9 if reasons else 0.0\n',
            '    if re.search(r"https?://|[a-z]+_[a-z]+|\\b(ignore|override|skip)\\b", clean, re.IGNORECASE):\n'
            '        reasons.append("suspicious word")\n'
            '    score = 0.9 if reasons else 0.0\n')]
TESTS = ["test_defences_do_not_refuse_benign_questions"]
