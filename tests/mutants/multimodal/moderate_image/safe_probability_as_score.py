"""Reports the probability of safe content as the score."""

PATCHES = [('score = float(nsfw_classifier().classify(to_image(image)).nsfw)', 'score = float(nsfw_classifier().classify(to_image(image)).sfw)')]
