"""Checks for injections but indexes the text as uploaded: personal data kept."""

PATCHES = [("    clean, mapping = safety.redact_pii(text, types=UPLOAD_PII_TYPES)\n",
            "    clean, mapping = text, {}\n")]
TESTS = ["test_markdown_upload_is_indexed_redacted_and_named_safely"]
