"""Retries by asking again without saying what was wrong."""

PATCHES = [("{\"role\": \"user\", \"content\": f\"That reply is invalid: {error}. Answer again with corrected JSON.\"},",
            "{\"role\": \"user\", \"content\": \"That reply is invalid. Answer again with corrected JSON.\"},")]
TESTS = ["test_extract_retries_once_with_the_error_fed_back"]
