"""Framework adapters over the course runtime, shared by every lab that uses a framework.

    from aie.integrations.langchain import chat_model, embeddings      # LangChain
    from aie.integrations.llamaindex import llm, embedding             # LlamaIndex

One adapter per framework, each a thin layer over `aie.llm.chat` and `aie.embed`: the
provider, model, budget and replay settings of `aie` apply unchanged, and the default is
the local model, offline. Tool calls and structured output go through `aie.llm`'s JSON-Schema
constrained path, so they work on SmolLM2-135M too. Importing this package imports no
framework; each submodule imports its own.
"""
