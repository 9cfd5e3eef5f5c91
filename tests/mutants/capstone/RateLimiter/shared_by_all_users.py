"""One window for everyone: users are not counted apart."""

PATCHES = [("times = [t for t in self._seen.get(user, []) if t > now - self.window_s]",
            "user = 'all'\n            times = [t for t in self._seen.get(user, []) if t > now - self.window_s]")]
