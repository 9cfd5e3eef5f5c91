"""Makes every sampled frame its own scene."""

PATCHES = [('        if scenes and normalise_words(text) == normalise_words(scenes[-1]["shown"]):\n            continue\n', '')]
TESTS = ['test_timeline_finds_each_slide_when_it_was_shown']
