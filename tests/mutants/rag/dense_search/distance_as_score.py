"""Reports 1 - cosine (a distance) as the score."""

PATCHES = [("        hit = {\"id\": id_, **meta, \"score\": float(score)}", "        hit = {\"id\": id_, **meta, \"score\": 1.0 - float(score)}")]
