"""Never asks Whisper for word timestamps, so segments have no words."""

PATCHES = [('word_timestamps=word_timestamps, condition_on_previous_text=False)', 'word_timestamps=False, condition_on_previous_text=False)')]
TESTS = ['test_transcript_has_segments_with_times_and_words']
