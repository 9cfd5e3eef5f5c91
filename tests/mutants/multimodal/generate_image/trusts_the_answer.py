"""Does not check that the returned image has the size asked for."""

PATCHES = [('    if img.size != want:\n', '    if False:\n')]
TESTS = ['test_generate_image_checks_before_and_after']
