"""Prices output tokens at the input price."""

PATCHES = [("output * info.output_per_1m", "output * info.input_per_1m")]
