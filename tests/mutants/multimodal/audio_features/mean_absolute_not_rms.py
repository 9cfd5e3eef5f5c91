"""Measures loudness as the mean absolute sample, not the root mean square."""

PATCHES = [('    rms = float(np.sqrt(np.mean(np.square(x, dtype=np.float64)))) if len(x) else 0.0\n', '    rms = float(np.mean(np.abs(x))) if len(x) else 0.0\n')]
TESTS = ['test_loudness_of_a_sine_is_exact']
