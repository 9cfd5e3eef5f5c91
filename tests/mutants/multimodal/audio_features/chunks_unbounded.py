"""Packs every speech segment into one chunk, whatever max_chunk_s says."""

PATCHES = [('        if chunks and e - chunks[-1][0] <= max_chunk_s:\n', '        if chunks:\n')]
TESTS = ['test_silence_and_voice_activity_split_two_sentences']
