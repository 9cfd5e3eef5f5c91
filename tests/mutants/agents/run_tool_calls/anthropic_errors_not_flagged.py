"""Never sets is_error on Anthropic tool results."""

PATCHES = [
    ('"is_error": failed}',
     '"is_error": False}'),
]

TESTS = ['test_tool_definitions_in_each_provider_shape', 'test_parse_tool_calls_from_each_providers_sdk', 'test_run_tool_calls_appends_results_as_each_provider_expects']
