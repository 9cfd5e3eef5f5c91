"""Calls the tool directly, so a hanging tool hangs the run."""

PATCHES = [
    ('record.observation = observe(call_with_timeout(lambda n=name, a=arguments: toolbox.call(n, a), limit))',
     'record.observation = observe(toolbox.call(name, arguments))'),
]

TESTS = ['test_run_agent_stops_at_max_steps', 'test_repeated_identical_calls_stop_the_run', 'test_unknown_tools_and_bad_replies_become_observations', 'test_a_tool_that_raises_or_hangs_costs_one_observation', 'test_token_and_time_budgets_always_apply', 'test_the_trace_records_every_step', 'test_run_agent_rejects_bad_input']
