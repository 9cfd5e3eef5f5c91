"""Accepts max_output_tokens=0 instead of rejecting it."""

PATCHES = [("not isinstance(max_output_tokens, int) or max_output_tokens <= 0:",
            "not isinstance(max_output_tokens, int) or max_output_tokens < 0:")]
