"""Counts requests in fixed minutes (t // window) instead of a sliding window."""

PATCHES = [("times = [t for t in self._seen.get(user, []) if t > now - self.window_s]",
            "times = [t for t in self._seen.get(user, []) if t // self.window_s == now // self.window_s]")]
