"""Lets a failing tool call raise instead of returning an error result."""

PATCHES = [
    ('        try:\n            results.append((call, observe(toolbox.call(call.name, call.arguments)), False))\n        except Exception as exc:\n            results.append((call, f"error: {exc}", True))\n',
     '        results.append((call, observe(toolbox.call(call.name, call.arguments)), False))\n'),
]

TESTS = ['test_tool_definitions_in_each_provider_shape', 'test_parse_tool_calls_from_each_providers_sdk', 'test_run_tool_calls_appends_results_as_each_provider_expects']
