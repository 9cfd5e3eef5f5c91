"""Leaves the SDK's strict JSON Schema mode on: the schema the model sees is rewritten (every argument required)."""

PATCHES = [
    ("on_invoke_tool=invoker(t.name), strict_json_schema=False)",
     "on_invoke_tool=invoker(t.name))"),
]

# The canned-server tests catch it without starting llama.cpp.
TESTS = ["test_openai_agents_sdk_agent_runs_the_toolbox_through_the_sdk",
         "test_openai_agents_sdk_agent_stops_at_max_steps_and_rejects_bad_input"]
