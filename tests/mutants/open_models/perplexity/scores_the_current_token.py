"""Scores each token with the logits computed at its own position (off by one): the model is asked to repeat, not predict."""

PATCHES = [("            targets = np.asarray(window[1:])\n", "            targets = np.asarray(window[:-1])\n")]
