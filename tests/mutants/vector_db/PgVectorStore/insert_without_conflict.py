"""Inserts without ON CONFLICT: adding a known id fails on the primary key."""

PATCHES = [("\"INSERT INTO {} (id, embedding, metadata) VALUES (%s, %s, %s) ON CONFLICT (id) \"\n"
            "            \"DO UPDATE SET embedding = EXCLUDED.embedding, metadata = EXCLUDED.metadata\"",
            "\"INSERT INTO {} (id, embedding, metadata) VALUES (%s, %s, %s)\"")]
