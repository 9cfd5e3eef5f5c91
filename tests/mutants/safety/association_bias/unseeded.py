"""Ignores the seed: the same call gives a different p-value."""

PATCHES = [('    rng = np.random.default_rng(seed)\n', '    rng = np.random.default_rng()\n')]
TESTS = ["test_weat_on_minilm"]
