"""Pastes the user's text into the prompt without the <message> delimiters."""

PATCHES = [("CLASSIFY_SYSTEM.format(labels=\", \".join(labels)), shots, render(MESSAGE_TEMPLATE, message=text)",
            "CLASSIFY_SYSTEM.format(labels=\", \".join(labels)), shots, \"Customer message:\\n\" + text")]
TESTS = ["test_the_text_is_delimited_like_the_examples"]
