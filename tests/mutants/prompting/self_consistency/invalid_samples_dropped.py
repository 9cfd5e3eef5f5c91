"""Drops invalid samples from `samples` instead of keeping None in their place."""

PATCHES = [("        except ValueError:\n            samples.append(None)\n", "        except ValueError:\n            pass\n")]
TESTS = ["test_the_vote_compares_normalised_answers_and_ties_go_to_the_first"]
