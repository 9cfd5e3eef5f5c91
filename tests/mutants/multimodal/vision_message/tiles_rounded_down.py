"""Counts whole tiles only (floor instead of ceil)."""

PATCHES = [('base + tile * math.ceil(size[0] / 512) * math.ceil(size[1] / 512)', 'base + tile * (size[0] // 512) * (size[1] // 512)')]
TESTS = ['test_openai_image_resized_and_counted']
