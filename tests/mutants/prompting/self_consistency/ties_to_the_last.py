"""Breaks a tie in favour of the answer seen last."""

PATCHES = [("    answer, count = votes.most_common(1)[0]",
            "    top = max(votes.values())\n    answer = [a for a, c in votes.items() if c == top][-1]\n    count = top")]
TESTS = ["test_the_vote_compares_normalised_answers_and_ties_go_to_the_first"]
