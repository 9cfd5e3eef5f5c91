"""JSON Schema -> llama.cpp grammar (GBNF) for the local backend, checked before it is used.

llama-cpp-python turns `response_format={"type": "json_object", "schema": ...}` into a grammar
itself, with two faults that kill the process (SIGSEGV) instead of raising:
- its converter escapes `"` but not `\\` inside literals, so an `enum`/`const` value holding a
  double quote (`'He said "hi"'`) becomes a grammar llama.cpp cannot parse;
- a bound of 2,000 or more (`maxLength`, `maxItems`) exceeds llama.cpp's repetition limit.
In both cases llama.cpp returns no sampler and the next call dereferences it. So the grammar
is built here with the escaping fixed, and parsed once by llama.cpp before generation: a
grammar it refuses becomes an `InvalidInputError` that names the likely cause.
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from typing import Any

from ..errors import InvalidInputError

# llama.cpp refuses a repetition whose bound, multiplied through nesting, reaches this.
MAX_REPETITION = 2000
_ESCAPE = re.compile(r'[\r\n"\\]')
_ESCAPES = {"\r": "\\r", "\n": "\\n", '"': '\\"', "\\": "\\\\"}


def _converter():
    from llama_cpp.llama_grammar import SchemaConverter

    class Converter(SchemaConverter):
        def _format_literal(self, literal: str) -> str:
            return '"' + _ESCAPE.sub(lambda m: _ESCAPES[m.group(0)], literal) + '"'

    return Converter(prop_order={}, allow_fetch=False, dotall=False, raw_pattern=False)


def _too_large_bounds(schema: Any, path: str = "$") -> list[str]:
    found = []
    if isinstance(schema, dict):
        for key in ("maxLength", "maxItems", "minLength", "minItems"):
            value = schema.get(key)
            if isinstance(value, int) and value >= MAX_REPETITION:
                found.append(f"{path}.{key}={value}")
        for key, value in schema.items():
            found += _too_large_bounds(value, f"{path}.{key}")
    elif isinstance(schema, list):
        for i, value in enumerate(schema):
            found += _too_large_bounds(value, f"{path}[{i}]")
    return found


@lru_cache(maxsize=64)
def _gbnf(schema_text: str) -> str:
    schema = json.loads(schema_text)
    bounds = _too_large_bounds(schema)
    if bounds:
        raise InvalidInputError(
            f"the JSON Schema has bounds llama.cpp cannot compile ({', '.join(bounds)}): keep "
            f"maxLength/maxItems below {MAX_REPETITION}, and bound the reply with max_tokens instead"
        )
    converter = _converter()
    schema = converter.resolve_refs(schema, "schema")
    converter.visit(schema, "")
    return converter.format_grammar()


def schema_grammar(schema: dict[str, Any], llm) -> Any:
    """A LlamaGrammar for `schema`, refused with a clear error if llama.cpp cannot parse it."""
    from llama_cpp.llama_grammar import LlamaGrammar

    try:
        text = json.dumps(schema, ensure_ascii=False)  # key order kept: it is the order the model writes
    except (TypeError, ValueError) as exc:
        raise InvalidInputError(f"the JSON Schema is not JSON-serialisable: {exc}") from None
    gbnf = _gbnf(text)
    _check_parses(gbnf, llm)
    return LlamaGrammar.from_string(gbnf, verbose=False)


_PARSED: set[tuple[int, str]] = set()


def _check_parses(gbnf: str, llm) -> None:
    key = (id(llm), gbnf)
    if key in _PARSED:
        return
    import llama_cpp

    sampler = llama_cpp.llama_sampler_init_grammar(llm._model.vocab, gbnf.encode("utf-8"), b"root")
    if not sampler:
        raise InvalidInputError(
            "llama.cpp could not compile the JSON Schema into a grammar (too many nested or "
            "repeated parts): simplify the schema, or lower its maxLength/maxItems bounds"
        )
    llama_cpp.llama_sampler_free(sampler)
    _PARSED.add(key)
