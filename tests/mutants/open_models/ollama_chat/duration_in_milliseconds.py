"""Treats eval_duration as milliseconds: tokens/s off by a factor of 1000."""

PATCHES = [('"tokens_per_s": (reply.eval_count or 0) / duration * 1e9 if duration else None}',
            '"tokens_per_s": (reply.eval_count or 0) / duration * 1e3 if duration else None}')]
