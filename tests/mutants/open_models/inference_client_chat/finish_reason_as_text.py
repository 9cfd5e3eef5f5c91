"""Returns the finish reason where the message content belongs."""

PATCHES = [('    return {"text": choice.message.content or "", "finish_reason": choice.finish_reason,',
            '    return {"text": choice.finish_reason or "", "finish_reason": choice.finish_reason,')]
