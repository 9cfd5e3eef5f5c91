"""Sends Responses API results with the wrong item type."""

PATCHES = [
    ('{"type": "function_call_output", "call_id": c.id, "output": text}',
     '{"type": "function_call_result", "call_id": c.id, "output": text}'),
]

TESTS = ['test_tool_definitions_in_each_provider_shape', 'test_parse_tool_calls_from_each_providers_sdk', 'test_run_tool_calls_appends_results_as_each_provider_expects']
