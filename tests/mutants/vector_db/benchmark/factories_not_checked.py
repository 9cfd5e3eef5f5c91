"""Does not check store_factories: an empty dict gives an empty table instead of an error."""

PATCHES = [("    if not isinstance(store_factories, dict) or not store_factories:\n"
            "        raise ValueError(\"store_factories must be a non-empty dict of name -> function returning a store\")\n", "")]
TESTS = ["test_benchmark_bad_input_names_the_argument"]
