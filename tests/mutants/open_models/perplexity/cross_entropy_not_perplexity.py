"""Returns the mean negative log-likelihood (nats per token) and forgets the exp."""

PATCHES = [("    return math.exp(nll / count)\n", "    return nll / count\n")]
