"""Reports the prompt's token count as the completion's."""

PATCHES = [('"prompt_tokens": reply.prompt_eval_count or 0, "completion_tokens": reply.eval_count or 0,',
            '"prompt_tokens": reply.prompt_eval_count or 0, "completion_tokens": reply.prompt_eval_count or 0,')]
