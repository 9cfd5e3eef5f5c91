"""Leaves the thought unbounded (no maxLength): a small model rambles until max_tokens."""

PATCHES = [
    ('    thought = {"type": "string", "maxLength": THOUGHT_CHARS}\n',
     '    thought = {"type": "string"}\n'),
]

TESTS = ['test_react_schema_allows_only_toolbox_tools', 'test_react_messages_fence_tool_output_as_data']
