"""Ignores the seed: one random start each time, so clusters change from run to run."""

PATCHES = [("    kmeans = KMeans(n_clusters=k, n_init=10, random_state=seed)", "    kmeans = KMeans(n_clusters=k, n_init=1)")]
