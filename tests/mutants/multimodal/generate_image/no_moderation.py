"""Shows the generated image without moderating it."""

PATCHES = [('"model": model, "moderation": moderate_image(img)}', '"model": model, "moderation": None}')]
TESTS = ['test_generate_image_decodes_checks_and_moderates']
