"""Scales every image up to 2048 px, small ones included."""

PATCHES = [('            scale = min(1.0, 2048 / max(w, h))\n', '            scale = 2048 / max(w, h)\n')]
TESTS = ['test_openai_image_resized_and_counted']
