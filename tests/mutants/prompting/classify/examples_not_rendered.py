"""Renders the text to classify but sends the examples' texts raw."""

PATCHES = [("        shots.append((render(MESSAGE_TEMPLATE, message=example[0]), {\"label\": example[1]}))",
            "        shots.append((example[0], {\"label\": example[1]}))")]
TESTS = ["test_the_text_is_delimited_like_the_examples"]
