"""Sends any size and lets the API refuse it (after a round trip)."""

PATCHES = [('    if size not in IMAGE_SIZES[model]:\n', '    if not size:\n')]
TESTS = ['test_generate_image_checks_before_and_after']
