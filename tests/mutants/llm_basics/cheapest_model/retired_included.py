"""Keeps retired models among the candidates."""

PATCHES = [("        if m.kind == \"chat\" and m.status != \"retired\"", "        if m.kind == \"chat\"")]
