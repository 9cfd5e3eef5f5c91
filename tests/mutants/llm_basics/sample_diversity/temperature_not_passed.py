"""Forgets to pass the temperature (every sample at the default 0)."""

PATCHES = [("complete(prompt, temperature=temperature, seed=seed0 + i", "complete(prompt, seed=seed0 + i")]
TESTS = ["test_high_temperature_gives_several_answers"]
