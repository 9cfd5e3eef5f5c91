"""Never writes refs/<revision>: offline, the Hub's resolver cannot tell which snapshot `main` is."""

PATCHES = [("    (repo / \"refs\" / revision).write_text(commit)\n", "")]
