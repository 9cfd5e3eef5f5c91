"""Only nearest-neighbour similarity, no phrase heuristics: rephrased attacks slip through."""

PATCHES = [('    score = 0.9 if reasons else 0.0\n', '    reasons, score = [], 0.0\n')]
TESTS = ["test_injection_precision_recall_on_heldout", "test_injection_lookalikes_and_obfuscation"]
