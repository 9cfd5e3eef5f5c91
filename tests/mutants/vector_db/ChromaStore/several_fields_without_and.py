"""Passes a where of several fields as one dict; Chroma needs {"$and": [...]} and refuses it."""

PATCHES = [("            where = clauses[0] if len(clauses) == 1 else {\"$and\": clauses}\n", "")]
