"""Keeps Whisper's leading space on every segment's text."""

PATCHES = [('"end": round(float(s.end), 2), "text": s.text.strip(),', '"end": round(float(s.end), 2), "text": s.text,')]
TESTS = ['test_transcript_has_segments_with_times_and_words']
