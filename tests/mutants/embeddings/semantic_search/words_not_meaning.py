"""Scores by shared words (Jaccard), not by meaning."""

PATCHES = [("    vectors = _vectors_for(docs, doc_vectors)\n    scores = cosine_matrix(embed_texts([query]), vectors)[0]",
            "    q = set(query.lower().split())\n"
            "    scores = np.array([len(q & set(d.lower().split())) / len(q | set(d.lower().split())) for d in docs])")]
