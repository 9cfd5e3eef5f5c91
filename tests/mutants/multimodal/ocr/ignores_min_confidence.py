"""Keeps words under min_confidence."""

PATCHES = [('if not text.strip() or conf < 0 or conf < min_confidence:', 'if not text.strip() or conf < 0:')]
TESTS = ['test_ocr_confidence_filter_and_noise']
