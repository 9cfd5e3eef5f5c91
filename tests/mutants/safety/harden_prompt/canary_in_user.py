"""Puts the canary in the user message instead of the system message."""

PATCHES = [('    blocks.append(f"<user-{tag}>\\n{defang(user)}\\n</user-{tag}>")\n',
            '    blocks.append(f"<user-{tag}>\\n{defang(user)}\\n</user-{tag}>\\n(ref {canary})")\n')]
