"""Labels the LangGraph trace as the hand-built loop's."""

PATCHES = [
    ('trace = Trace(question=question, framework="langgraph")',
     'trace = Trace(question=question)'),
]
