"""Puts 'answer' before 'reasoning' in the schema: the model commits before it reasons."""

PATCHES = [("        \"reasoning\": {\"type\": \"string\", \"maxLength\": 200},\n        \"answer\": {\"type\": \"string\", \"minLength\": 1, \"maxLength\": 40},\n",
            "        \"answer\": {\"type\": \"string\", \"minLength\": 1, \"maxLength\": 40},\n        \"reasoning\": {\"type\": \"string\", \"maxLength\": 200},\n")]
TESTS = ["test_reasoning_comes_first_and_is_bounded"]
