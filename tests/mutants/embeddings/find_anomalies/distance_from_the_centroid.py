"""Scores each text by its distance from the centroid (the method the docstring calls wrong)."""

PATCHES = [("    sims = cosine_matrix(_vectors_for(texts, vectors))\n"
            "    np.fill_diagonal(sims, -np.inf)  # a text is not its own neighbour\n"
            "    k = min(n_neighbors, len(texts) - 1)\n"
            "    nearest = -np.sort(-sims, axis=1)[:, :k]\n"
            "    scores = 1.0 - nearest.mean(axis=1)\n",
            "    v = _vectors_for(texts, vectors)\n"
            "    scores = 1.0 - cosine_matrix(v, v.mean(axis=0, keepdims=True))[:, 0]\n")]
