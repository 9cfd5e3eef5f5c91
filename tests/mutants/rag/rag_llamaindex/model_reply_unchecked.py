"""ask() returns the model's JSON as it is: no not-in-the-documents gate, no validation."""

PATCHES = [("    return Pipeline(\"LlamaIndex\", retrieve, lambda q: answer(q, retrieve, generate=generate), len(nodes))",
            "    def ask(q):\n"
            "        hits = retrieve(q, PROMPT_CHUNKS)\n"
            "        return json.loads(generate(build_prompt(q, hits), answer_schema([h[\"id\"] for h in hits]), ANSWER_TOKENS))\n\n"
            "    return Pipeline(\"LlamaIndex\", retrieve, ask, len(nodes))")]
TESTS = ["test_llamaindex_answers_with_valid_citations_and_local_models"]
