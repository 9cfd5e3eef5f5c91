"""Swaps the weights: lambda_ on redundancy, 1 - lambda_ on relevance."""

PATCHES = [("            return lambda_ * relevance[j] - (1 - lambda_) * redundancy",
            "            return (1 - lambda_) * relevance[j] - lambda_ * redundancy")]
