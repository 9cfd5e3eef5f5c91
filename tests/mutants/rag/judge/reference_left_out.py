"""Shows the judge the question and the answer but not the reference: it grades from what it believes."""

PATCHES = [('(("question", question), ("reference", reference), ("answer", answer))',
            '(("question", question), ("answer", answer))')]
TESTS = ["test_judge_asks_for_a_bounded_verdict_with_the_rubric"]
