"""Draws a random seed per sample, so the same seed0 does not repeat."""

PATCHES = [("seed=seed0 + i, max_tokens=max_tokens).text for i in range(n)]",
            "seed=random.randrange(1_000_000), max_tokens=max_tokens).text for i in range(n)]"),
           ("from collections.abc import Iterator\n", "import random\nfrom collections.abc import Iterator\n")]
TESTS = ["test_the_same_seed_repeats"]
