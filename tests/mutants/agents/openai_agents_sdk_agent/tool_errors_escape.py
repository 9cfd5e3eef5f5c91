"""Lets a failing tool call raise inside the SDK instead of returning "error: ..." to the model."""

PATCHES = [
    ("""            try:
                arguments = json.loads(args_json or "{}")
                return observe(await asyncio.to_thread(toolbox.call, name, arguments))
            except Exception as exc:  # bad JSON, bad arguments, a failing tool: the model reads it
                return f"error: {exc}"
""",
     """            arguments = json.loads(args_json or "{}")
            return observe(await asyncio.to_thread(toolbox.call, name, arguments))
"""),
]

# The canned-server tests catch it without starting llama.cpp.
TESTS = ["test_openai_agents_sdk_agent_runs_the_toolbox_through_the_sdk",
         "test_openai_agents_sdk_agent_stops_at_max_steps_and_rejects_bad_input"]
