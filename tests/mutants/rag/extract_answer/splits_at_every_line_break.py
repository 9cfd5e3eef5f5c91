"""Splits a chunk into units at every line break, so a hard-wrapped sentence comes back cut in half."""

PATCHES = [("            flush()\n            line = re.sub(r\"^(?:[-*+]|\\d+\\.)\\s+\", \"\", line)\n        paragraph.append(line)",
            "            line = re.sub(r\"^(?:[-*+]|\\d+\\.)\\s+\", \"\", line)\n        flush()\n        paragraph.append(line)")]
TESTS = ["test_extract_answer_keeps_a_hard_wrapped_sentence_whole"]
