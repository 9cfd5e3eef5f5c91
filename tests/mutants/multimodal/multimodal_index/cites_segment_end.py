"""Cites a transcript segment by its end second."""

PATCHES = [('"cite": f"{file}@{s[\'start\']:.1f}s"})', '"cite": f"{file}@{s[\'end\']:.1f}s"})')]
TESTS = ['test_index_units_cite_second_box_and_paragraph']
