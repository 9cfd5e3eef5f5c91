"""Puts every word on line 0, so the text comes back as a single line."""

PATCHES = [('        line = line_ids.setdefault(key, len(line_ids))\n', '        line = line_ids.setdefault(0, 0)\n')]
TESTS = ['test_ocr_reads_rendered_text_with_boxes']
