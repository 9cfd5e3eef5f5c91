"""Puts the question before the image in Anthropic's content."""

PATCHES = [('        content = [{"type": "image", "source": {"type": "base64", "media_type": "image/jpeg", "data": b64}},\n                   {"type": "text", "text": question}]\n', '        content = [{"type": "text", "text": question},\n                   {"type": "image", "source": {"type": "base64", "media_type": "image/jpeg", "data": b64}}]\n')]
TESTS = ['test_anthropic_image_block_within_limits']
