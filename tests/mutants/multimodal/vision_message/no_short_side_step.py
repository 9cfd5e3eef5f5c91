"""Fits the image in 2048 x 2048 but skips OpenAI's second step (short side to 768)."""

PATCHES = [('            if min(w, h) * scale > 768:\n                scale *= 768 / (min(w, h) * scale)\n', '')]
TESTS = ['test_openai_image_resized_and_counted']
