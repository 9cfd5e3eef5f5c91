"""Gives segment times in milliseconds."""

PATCHES = [('out.append({"start": round(float(s.start), 2), "end": round(float(s.end), 2),', 'out.append({"start": round(1000 * s.start), "end": round(1000 * s.end),')]
TESTS = ['test_transcript_has_segments_with_times_and_words']
