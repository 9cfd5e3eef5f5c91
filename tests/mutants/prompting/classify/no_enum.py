"""Asks for JSON with a free-text label: nothing keeps the model to the labels."""

PATCHES = [("        \"properties\": {\"label\": {\"type\": \"string\", \"enum\": labels}},",
            "        \"properties\": {\"label\": {\"type\": \"string\", \"maxLength\": 30}},")]
TESTS = ["test_classify_constrains_the_reply_to_the_labels"]
