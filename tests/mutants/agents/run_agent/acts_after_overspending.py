"""Checks the token budget only before a step, so the overspending step still acts."""

PATCHES = [
    ('        if trace.tokens > budget.tokens:\n            trace.stop_reason = "tokens"\n            break\n',
     ''),
]

TESTS = ['test_run_agent_stops_at_max_steps', 'test_repeated_identical_calls_stop_the_run', 'test_unknown_tools_and_bad_replies_become_observations', 'test_a_tool_that_raises_or_hangs_costs_one_observation', 'test_token_and_time_budgets_always_apply', 'test_the_trace_records_every_step', 'test_run_agent_rejects_bad_input']
