"""Flags only when one harmful category alone reaches the threshold: misses texts split between categories."""

PATCHES = [('    flagged = 1.0 - float(probs.get("safe", 0.0)) >= threshold\n',
            '    flagged = max(scores.values()) >= 0.75\n')]
TESTS = ["test_moderation_precision_recall_on_heldout"]
