"""Guards with a regex of its own instead of lab 07's detectors: disguised injections get in,
and the placeholders are not lab 07's."""

PATCHES = [("    verdict = safety.detect_injection(text)\n",
            "    verdict = {'injection': bool(re.search(r'ignore (all )?previous instructions', text, re.I)),\n"
            "               'reasons': ['override']}\n"),
           ("    clean, mapping = safety.redact_pii(text, types=UPLOAD_PII_TYPES)\n",
            "    found = re.findall(r'[\\w.+-]+@[\\w-]+(?:\\.[\\w-]+)+|\\+?\\d[\\d ()-]{7,}\\d', text)\n"
            "    clean, mapping = re.sub(r'[\\w.+-]+@[\\w-]+(?:\\.[\\w-]+)+', '<EMAIL_ADDRESS>', text), dict.fromkeys(found)\n"
            "    clean = re.sub(r'\\+?\\d[\\d ()-]{7,}\\d', '<PHONE_NUMBER>', clean)\n")]
