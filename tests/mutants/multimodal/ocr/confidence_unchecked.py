"""Accepts any min_confidence, even over 100."""

PATCHES = [('or not 0 <= min_confidence <= 100:', 'or min_confidence != min_confidence:')]
TESTS = ['test_ocr_rejects_bad_input']
