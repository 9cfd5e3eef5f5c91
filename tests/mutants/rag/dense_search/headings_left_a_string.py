"""Leaves "headings" as the store's " > "-joined string instead of a list."""

PATCHES = [("        if isinstance(hit.get(\"headings\"), str):\n            hit[\"headings\"] = [h for h in hit[\"headings\"].split(\" > \") if h]\n", "")]
