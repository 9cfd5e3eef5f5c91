"""Uses seed0 for every sample: at a high temperature they all come out the same."""

PATCHES = [("seed=seed0 + i, max_tokens=max_tokens).text for i in range(n)]",
            "seed=seed0, max_tokens=max_tokens).text for i in range(n)]")]
TESTS = ["test_high_temperature_gives_several_answers"]
