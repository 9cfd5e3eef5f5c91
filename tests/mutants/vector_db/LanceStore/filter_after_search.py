"""Filters after the vector search (postfilter): a selective filter returns fewer than k rows."""

PATCHES = [("            search = search.where(\" AND \".join(clauses), prefilter=True)",
            "            search = search.where(\" AND \".join(clauses), prefilter=False)")]
