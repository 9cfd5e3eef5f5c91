"""Leaves the strings without maxLength, so a small model can loop until max_tokens."""

PATCHES = [("        \"reasoning\": {\"type\": \"string\", \"maxLength\": 200},\n        \"answer\": {\"type\": \"string\", \"minLength\": 1, \"maxLength\": 40},\n",
            "        \"reasoning\": {\"type\": \"string\"},\n        \"answer\": {\"type\": \"string\", \"minLength\": 1},\n")]
TESTS = ["test_reasoning_comes_first_and_is_bounded"]
