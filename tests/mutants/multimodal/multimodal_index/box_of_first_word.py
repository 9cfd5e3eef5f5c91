"""Cites an OCR line by its first word's box, not the whole line's."""

PATCHES = [('                box = (x0, y0, x1 - x0, y1 - y0)\n', '                box = tuple(ws[0]["box"])\n')]
TESTS = ['test_index_units_cite_second_box_and_paragraph']
