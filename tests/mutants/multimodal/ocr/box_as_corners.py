"""Gives boxes as (left, top, right, bottom) instead of (left, top, width, height)."""

PATCHES = [('"box": (data["left"][i], data["top"][i], data["width"][i], data["height"][i])', '"box": (data["left"][i], data["top"][i], data["left"][i] + data["width"][i], data["top"][i] + data["height"][i])')]
TESTS = ['test_ocr_reads_rendered_text_with_boxes']
