"""A two-sided p-value: the flipped test is "significant" too."""

PATCHES = [('    count = int(np.sum(stats >= observed - 1e-12))\n', '    count = int(np.sum(np.abs(stats) >= abs(observed) - 1e-12))\n')]
TESTS = ["test_weat_on_minilm"]
