"""Uses 10 log10 (a power ratio) on amplitudes."""

PATCHES = [('        return 20 * math.log10(v) if v > 0 else float("-inf")\n', '        return 10 * math.log10(v) if v > 0 else float("-inf")\n')]
TESTS = ['test_loudness_of_a_sine_is_exact']
