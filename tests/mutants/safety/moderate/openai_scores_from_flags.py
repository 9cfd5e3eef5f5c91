"""Fills the scores from the API's true/false categories instead of category_scores."""

PATCHES = [('as_dict(result.category_scores).items()', 'as_dict(result.categories).items()')]
TESTS = ["test_openai_moderation_behind_the_same_type"]
