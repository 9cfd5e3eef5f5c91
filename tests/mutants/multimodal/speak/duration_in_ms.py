"""Reports the duration in milliseconds instead of seconds."""

PATCHES = [('"duration_s": round(len(samples) / rate, 3), "sample_rate": rate,\n            "engine"', '"duration_s": round(1000 * len(samples) / rate), "sample_rate": rate,\n            "engine"')]
TESTS = ['test_speak_writes_a_wav_with_piper']
