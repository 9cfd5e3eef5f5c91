"""Records refused requests too, so a user who keeps asking is locked out for longer."""

PATCHES = [("            if len(times) >= self.max_requests:\n                self._seen[user] = times\n",
            "            if len(times) >= self.max_requests:\n                self._seen[user] = times + [now]\n")]
