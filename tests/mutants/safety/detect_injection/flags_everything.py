"""A detector that refuses everything: no attack gets through, and no look-alike question either."""

PATCHES = [('    score = round(min(score, 1.0), 4)\n    return {"injection": score >= threshold,',
            '    score = round(min(score, 1.0), 4)\n    return {"injection": True,')]
TESTS = ["test_defences_do_not_refuse_benign_questions"]
