"""Orders by <-> (L2 distance) and scores 1 - L2 distance, not the cosine operator <=>."""

PATCHES = [("\"SELECT id, 1 - (embedding <=> %(q)s), metadata FROM {} {} \"\n            \"ORDER BY embedding <=> %(q)s LIMIT %(k)s\"",
            "\"SELECT id, 1 - (embedding <-> %(q)s), metadata FROM {} {} \"\n            \"ORDER BY embedding <-> %(q)s LIMIT %(k)s\"")]
