"""Stores the metadata at the top of the payload but filters on meta.<key>: filters match nothing."""

PATCHES = [("payload={\"id\": i, \"meta\": m})", "payload={\"id\": i, **m})"),
           ("        hits = [(p.payload[\"id\"], p.score, p.payload[\"meta\"]) for p in res.points]",
            "        hits = [(p.payload[\"id\"], p.score, {k: v for k, v in p.payload.items() if k != \"id\"}) for p in res.points]")]
