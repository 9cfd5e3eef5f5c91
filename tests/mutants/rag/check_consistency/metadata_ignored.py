"""Reads only the chunk's words, never its metadata: a 3.9 page is "missing" the "4.2" of "before 4.2"."""

PATCHES = [('''    if any(time_fit(chunk, rewritten) > 0 for chunk in cited):''', '''    if False:''')]
TESTS = ["test_check_consistency_lets_a_chunks_metadata_back_the_questions_time"]
