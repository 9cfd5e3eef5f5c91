"""Numbers the clusters 1..k instead of 0..k-1."""

PATCHES = [("    return kmeans.fit_predict(_vectors_for(texts, vectors)).astype(int)",
            "    return kmeans.fit_predict(_vectors_for(texts, vectors)).astype(int) + 1")]
