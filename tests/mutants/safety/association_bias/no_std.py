"""Reports the raw difference of means, not divided by the standard deviation."""

PATCHES = [('    effect = float((s[:n].mean() - s[n:].mean()) / std) if std > 0 else 0.0\n',
            '    effect = float(s[:n].mean() - s[n:].mean())\n')]
TESTS = ["test_weat_on_minilm"]
