"""Looks for the question's terms in the chunk's text only, not its heading path or title."""

PATCHES = [("        for m in _WORD.finditer(f\"{chunk.get('title', '')}\\n{index_text(chunk)}\".lower()):",
            "        for m in _WORD.finditer(chunk[\"text\"].lower()):")]
TESTS = ["test_check_consistency_reads_versions_years_headings_and_the_answers_numbers"]
