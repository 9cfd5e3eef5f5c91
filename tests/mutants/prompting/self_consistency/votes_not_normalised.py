"""Votes on the raw answers: "5", "5." and " 5" count as three different answers."""

PATCHES = [("    votes = Counter(normalise_answer(a) for a in samples if a is not None)",
            "    votes = Counter(a for a in samples if a is not None)")]
TESTS = ["test_the_vote_compares_normalised_answers_and_ties_go_to_the_first"]
