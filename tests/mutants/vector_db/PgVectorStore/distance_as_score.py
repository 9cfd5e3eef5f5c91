"""Returns the cosine distance (embedding <=> q) as the score instead of 1 - distance."""

PATCHES = [("\"SELECT id, 1 - (embedding <=> %(q)s), metadata FROM {} {} \"", "\"SELECT id, (embedding <=> %(q)s), metadata FROM {} {} \"")]
