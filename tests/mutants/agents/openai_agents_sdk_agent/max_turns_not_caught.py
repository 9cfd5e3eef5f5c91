"""Lets MaxTurnsExceeded escape instead of ending the run with stop_reason "max_steps"."""

PATCHES = [
    ("""        except sdk.MaxTurnsExceeded as exc:
            data = exc.run_data
            return (data.raw_responses, data.new_items, None) if data else ([], [], None)
""", ""),
]

# The canned-server tests catch it without starting llama.cpp.
TESTS = ["test_openai_agents_sdk_agent_runs_the_toolbox_through_the_sdk",
         "test_openai_agents_sdk_agent_stops_at_max_steps_and_rejects_bad_input"]
