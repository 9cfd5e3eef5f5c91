"""Keeps the SDK's default for a tool the model invents: ModelBehaviorError ends the run."""

PATCHES = [
    ('config = sdk.RunConfig(tracing_disabled=True, tool_not_found_behavior="return_error_to_model")',
     'config = sdk.RunConfig(tracing_disabled=True)'),
]

# The canned-server tests catch it without starting llama.cpp.
TESTS = ["test_openai_agents_sdk_agent_runs_the_toolbox_through_the_sdk",
         "test_openai_agents_sdk_agent_stops_at_max_steps_and_rejects_bad_input"]
