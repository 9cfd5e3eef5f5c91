"""Clusters the 2-D PCA map instead of the embeddings (most of the meaning is lost)."""

PATCHES = [("    return kmeans.fit_predict(_vectors_for(texts, vectors)).astype(int)",
            "    return kmeans.fit_predict(PCA(n_components=2).fit_transform(_vectors_for(texts, vectors))).astype(int)")]
