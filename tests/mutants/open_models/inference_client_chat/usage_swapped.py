"""Reads prompt and completion token counts the wrong way round."""

PATCHES = [('"prompt_tokens": out.usage.prompt_tokens, "completion_tokens": out.usage.completion_tokens}',
            '"prompt_tokens": out.usage.completion_tokens, "completion_tokens": out.usage.prompt_tokens}')]
