"""Exponentiates the total negative log-likelihood instead of the mean per token."""

PATCHES = [("    return math.exp(nll / count)\n", "    return math.exp(nll) if nll < 700 else float(\"inf\")\n")]
