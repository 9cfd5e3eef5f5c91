"""Asks the Moderation API for the legacy text-moderation-latest model."""

PATCHES = [('model="omni-moderation-latest", input=clean', 'model="text-moderation-latest", input=clean')]
TESTS = ["test_openai_moderation_behind_the_same_type"]
