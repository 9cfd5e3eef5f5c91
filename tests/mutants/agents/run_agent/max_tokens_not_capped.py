"""Asks every step for STEP_TOKENS whatever the tokens left."""

PATCHES = [
    ('max_tokens=min(STEP_TOKENS, left))',
     'max_tokens=STEP_TOKENS)'),
]

TESTS = ['test_run_agent_stops_at_max_steps', 'test_repeated_identical_calls_stop_the_run', 'test_unknown_tools_and_bad_replies_become_observations', 'test_a_tool_that_raises_or_hangs_costs_one_observation', 'test_token_and_time_budgets_always_apply', 'test_the_trace_records_every_step', 'test_run_agent_rejects_bad_input']
