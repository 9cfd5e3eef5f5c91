"""Leaves OpenAI's arguments as the JSON string they arrive in."""

PATCHES = [
    ('arguments=arguments(c["function"].get("arguments")), id=c["id"])',
     'arguments=c["function"].get("arguments"), id=c["id"])'),
]

TESTS = ['test_tool_definitions_in_each_provider_shape', 'test_parse_tool_calls_from_each_providers_sdk', 'test_run_tool_calls_appends_results_as_each_provider_expects']
