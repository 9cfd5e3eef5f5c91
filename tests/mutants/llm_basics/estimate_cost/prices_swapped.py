"""Swaps the input and output prices."""

PATCHES = [("(prompt_tokens * info.input_per_1m + output * info.output_per_1m)",
            "(prompt_tokens * info.output_per_1m + output * info.input_per_1m)")]
