"""Counts an unreadable reply as "incorrect" instead of abstaining."""

PATCHES = [('''    verdict = reply.get("verdict") if isinstance(reply, dict) else None
    if verdict not in ("correct", "incorrect"):''', '''    verdict = reply.get("verdict") if isinstance(reply, dict) else None
    if verdict not in ("correct", "incorrect"):
        return {"verdict": "incorrect", "correct": False, "reason": "unreadable"}
    if False:'''),
           ('''    except (ValueError, TypeError):
        return {"verdict": None, "correct": None, "reason": f"invalid reply: {str(raw)[:80]!r}"}''',
            '''    except (ValueError, TypeError):
        return {"verdict": "incorrect", "correct": False, "reason": "unreadable"}''')]
TESTS = ["test_judge_abstains_on_an_invalid_reply"]
