"""Escapes only the exact lower-case closing tag of the slot ("</ticket>"), not "</TICKET>" or "< / ticket >"."""

PATCHES = [("        return tag.sub(lambda m: m.group(0).replace(\"<\", \"&lt;\").replace(\">\", \"&gt;\"), value)",
            "        for slot in slots:\n"
            "            value = value.replace(f\"</{slot}>\", f\"&lt;/{slot}&gt;\")\n"
            "        return value")]
