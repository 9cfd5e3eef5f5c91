"""The schema lets the tool be any string, not only the toolbox's names."""

PATCHES = [
    ('"tool": {"enum": [t.name]}',
     '"tool": {"type": "string"}'),
]

TESTS = ['test_react_schema_allows_only_toolbox_tools', 'test_react_messages_fence_tool_output_as_data']
