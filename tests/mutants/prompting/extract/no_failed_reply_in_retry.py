"""Retries with the error but without the model's failed reply."""

PATCHES = [("            messages += [\n                {\"role\": \"assistant\", \"content\": reply.text},\n",
            "            messages += [\n")]
TESTS = ["test_the_retry_shows_the_model_its_failed_reply"]
