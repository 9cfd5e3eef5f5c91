"""Puts the tool's output in the chat as it is, without the <observation> fence."""

PATCHES = [
    ('messages.append({"role": "user", "content": fence(str(step.get("observation", "")))})',
     'messages.append({"role": "user", "content": str(step.get("observation", ""))})'),
]

TESTS = ['test_react_schema_allows_only_toolbox_tools', 'test_react_messages_fence_tool_output_as_data']
