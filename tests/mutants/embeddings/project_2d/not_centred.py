"""Projects without centring the data first (a truncated SVD, not PCA)."""

PATCHES = [("    return PCA(n_components=2).fit_transform(vectors)",
            "    _, _, vt = np.linalg.svd(vectors, full_matrices=False)\n    return vectors @ vt[:2].T")]
