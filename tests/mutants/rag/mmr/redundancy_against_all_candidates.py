"""Measures redundancy against every other candidate, not against those already picked."""

PATCHES = [("            redundancy = max((similarity[j, p] for p in picked), default=0.0)",
            "            redundancy = max((similarity[j, p] for p in range(len(candidates)) if p != j), default=0.0)")]
