"""Labels every token, prompt included: the steps are spent learning to predict the notes, not the log line."""

PATCHES = [("        rows.append((p + a, [-100] * len(p) + a))\n", "        rows.append((p + a, p + a))\n")]
