"""Lets the remaining budget go below zero."""

PATCHES = [("return max(0, self.tokens_per_user - self._spent.get(user, 0))", "return self.tokens_per_user - self._spent.get(user, 0)")]
