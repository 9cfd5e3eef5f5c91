"""Returns LanceDB's _distance as the score (lower is better), not 1 - _distance."""

PATCHES = [("        return [(r[\"id\"], 1.0 - r[\"_distance\"], json.loads(r[\"metadata\"])) for r in rows]",
            "        return [(r[\"id\"], r[\"_distance\"], json.loads(r[\"metadata\"])) for r in rows]")]
