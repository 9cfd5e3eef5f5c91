"""Calls the tool's function with the model's arguments, skipping the toolbox's schema check."""

PATCHES = [
    ("return observe(await asyncio.to_thread(toolbox.call, name, arguments))",
     "return observe(await asyncio.to_thread(lambda: toolbox.get(name).fn(**arguments)))"),
]

# The canned-server tests catch it without starting llama.cpp.
TESTS = ["test_openai_agents_sdk_agent_runs_the_toolbox_through_the_sdk",
         "test_openai_agents_sdk_agent_stops_at_max_steps_and_rejects_bad_input"]
