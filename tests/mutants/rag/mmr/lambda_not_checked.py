"""Accepts any lambda_ (2 or -1 make nonsense scores) instead of rejecting it."""

PATCHES = [("or not 0.0 <= lambda_ <= 1.0:", "or lambda_ != lambda_:")]
