"""Keeps only the last model call's tokens instead of summing every call's usage."""

PATCHES = [
    ("            tokens = response.usage.total_tokens\n            trace.tokens += tokens\n",
     "            tokens = response.usage.total_tokens\n            trace.tokens = tokens\n"),
]

# The canned-server tests catch it without starting llama.cpp.
TESTS = ["test_openai_agents_sdk_agent_runs_the_toolbox_through_the_sdk",
         "test_openai_agents_sdk_agent_stops_at_max_steps_and_rejects_bad_input"]
