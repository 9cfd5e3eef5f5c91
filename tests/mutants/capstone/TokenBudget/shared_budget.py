"""One budget shared by every user."""

PATCHES = [("self._spent[user] = self._spent.get(user, 0) + tokens", "self._spent['all'] = self._spent.get('all', 0) + tokens"),
           ("return max(0, self.tokens_per_user - self._spent.get(user, 0))", "return max(0, self.tokens_per_user - self._spent.get('all', 0))")]
