"""Returns n - 1 answers (an off-by-one in the loop)."""

PATCHES = [("seed=seed0 + i, max_tokens=max_tokens).text for i in range(n)]",
            "seed=seed0 + i, max_tokens=max_tokens).text for i in range(1, n)]")]
TESTS = ["test_temperature_zero_gives_one_answer"]
