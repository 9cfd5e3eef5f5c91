"""Does not check k: k=0 or more clusters than texts fail deep inside scikit-learn, or not at all."""

PATCHES = [("    if not isinstance(k, int) or isinstance(k, bool) or not 1 <= k <= len(texts):\n"
            "        raise ValueError(f\"k must be an integer from 1 to the number of texts ({len(texts)}), got {k!r}\")\n"
            "    kmeans = KMeans(n_clusters=k, n_init=10, random_state=seed)",
            "    kmeans = KMeans(n_clusters=max(1, min(k, len(texts))), n_init=10, random_state=seed)")]
