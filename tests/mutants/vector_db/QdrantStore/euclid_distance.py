"""Creates the collection with Euclidean distance instead of cosine."""

PATCHES = [("models.VectorParams(size=dim, distance=models.Distance.COSINE)", "models.VectorParams(size=dim, distance=models.Distance.EUCLID)")]
