"""Returns the axes in the wrong order (the most spread second)."""

PATCHES = [("    return PCA(n_components=2).fit_transform(vectors)", "    return PCA(n_components=2).fit_transform(vectors)[:, ::-1]")]
