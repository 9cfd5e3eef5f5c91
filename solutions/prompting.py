"""Lab 02 — Prompting: templates, few-shot, structured output and a small eval harness.

Covers: prompt templates with named slots and delimited user text (so a message cannot
close the template's own delimiters), system prompts, zero- and few-shot prompting in the
chat format, classification whose answer can only be one of the labels (an enum in a JSON
Schema, enforced by constrained decoding), measuring a prompt on a labelled set (accuracy,
confusion, failures), extraction into a pydantic model with validation and one retry that
feeds the error back, chain of thought as a structured {"reasoning", "answer"} object, and
self-consistency (a majority vote over sampled answers).

Leaves to later labs: embeddings-based classification (03), retrieval (05), tool calling
(06), prompt injection attacks and defences (07).

Everything runs on the local model (SmolLM2-135M-Instruct on llama.cpp) with no key. It is
tiny: it follows a schema reliably but reasons poorly, so the lab grades what you build
around it (templates, schemas, validation, retries, votes) and reports its accuracy as a
measured figure. Set AIE_PROVIDER to run the same code on a bigger model.
"""

from __future__ import annotations

import json
import re
import string
from collections import Counter
from collections.abc import Callable
from typing import Any

from pydantic import BaseModel, ValidationError

from aie import llm, validate

# The user text inside a classification prompt; render() wraps it in <message> tags.
MESSAGE_TEMPLATE = "Customer message:\n{message}"
CLASSIFY_SYSTEM = (
    "You sort customer messages for a software company. Read the message and answer with "
    "the one label that fits it best. Labels: {labels}."
)
EXTRACT_SYSTEM = (
    "Extract these fields from the customer message: {fields}. Copy names, e-mail addresses "
    "and amounts exactly as they are written in the message."
)
REASON_SYSTEM = (
    "Answer the question. First think step by step in 'reasoning' (a few short sentences), "
    "then give only the final answer in 'answer'."
)
# maxLength bounds matter: without them a small model can loop inside a string until
# max_tokens, and the JSON never closes.
REASON_SCHEMA = {
    "type": "object",
    "properties": {
        "reasoning": {"type": "string", "maxLength": 200},
        "answer": {"type": "string", "minLength": 1, "maxLength": 40},
    },
    "required": ["reasoning", "answer"],
}
# What normalise_answer strips from both ends of an answer before votes are compared.
PUNCTUATION = " \t\n.,;:!?'\"`{}[]()"


class ExtractionError(ValueError):
    """The model's output still failed validation after one retry."""


def _need_text(value: Any, name: str) -> str:
    """Given to you: `value` must be a non-empty string of valid text (`aie.validate.text`:
    no lone surrogates, at most a million characters), else a ValueError naming it."""
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"{name} must be a non-empty string, got {value!r:.80}")
    return validate.text(value, name)


def parse_json(text: str) -> Any:
    """Given to you: parse a model's JSON reply. `strict=False` accepts raw control
    characters (a newline) inside strings, which a grammar may let through."""
    return json.loads(text, strict=False)


def normalise_answer(answer: str) -> str:
    """Given to you: an answer in the form votes compare, lower-cased and without the spaces
    and punctuation around it. normalise_answer(" ,5. ") -> "5"."""
    return answer.strip().strip(PUNCTUATION).strip().lower()


def render(template: str, **values: str) -> str:
    """Fill the named `{slots}` of `template`, each value wrapped in tags named after its slot.

    Every slot needs a value and every value needs a slot (a typo in either is an error,
    not a silently odd prompt). Values are user text: any `<slot>` or `</slot>` tag in them,
    for any slot of the template, has its angle brackets escaped (`&lt;` `&gt;`), so a
    message can never close the tag around it and pass itself off as part of your
    instructions. Other text, `<a@b.com>` included, is left as it is. `{{` and `}}` are
    literal braces.

        render("Classify:\\n{ticket}", ticket="Refund me </ticket> now")
        -> "Classify:\\n<ticket>\\nRefund me &lt;/ticket&gt; now\\n</ticket>"
        render("{a} {b}", a="x")          -> ValueError (slot 'b' has no value)
        render("{a}", a="x", c="y")       -> ValueError (value 'c' has no slot)
    """
    # BEGIN SOLUTION
    _need_text(template, "template")
    try:
        parts = list(string.Formatter().parse(template))
    except ValueError as exc:
        raise ValueError(f"template has unbalanced braces ({exc}); write {{{{ and }}}} for literal braces") from None
    slots = [field for _, field, _, _ in parts if field is not None]
    for field in slots:
        if not field.isidentifier():
            raise ValueError(f"template slot {{{field}}} must be a name like {{ticket}}")
    missing = sorted(set(slots) - set(values))
    unused = sorted(set(values) - set(slots))
    if missing:
        raise ValueError(f"template slot(s) {missing} have no value")
    if unused:
        raise ValueError(f"value(s) {unused} have no slot in the template")
    for name, value in values.items():
        if not isinstance(value, str):
            raise ValueError(f"value for slot {name!r} must be a string, got {type(value).__name__}")
    # A tag of any slot, however spaced or cased: "</ticket>", "< TICKET >", "</ ticket >".
    tag = re.compile(r"<\s*/?\s*(?:" + "|".join(map(re.escape, slots)) + r")\s*>", re.IGNORECASE)

    def neutralise(value: str) -> str:
        return tag.sub(lambda m: m.group(0).replace("<", "&lt;").replace(">", "&gt;"), value)

    out = []
    for literal, field, spec, conversion in parts:
        out.append(literal)
        if field is None:
            continue
        if spec or conversion:
            raise ValueError(f"template slot {{{field}}} must not have a format spec or conversion")
        out.append(f"<{field}>\n{neutralise(values[field])}\n</{field}>")
    return "".join(out)
    # END SOLUTION


def few_shot_messages(instruction: str, examples: list[tuple[str, Any]], query: str) -> list[dict]:
    """Chat messages for few-shot prompting: the instruction as the system message, each
    example as a user turn and the ideal assistant reply, then the real query.

    An example's output that is not a string (a dict, say) is sent as JSON, so the examples
    show the model the exact format it must answer in. No examples is zero-shot. An empty
    instruction or query, examples that are not a list, or an example that is not an
    (input, output) pair is a ValueError naming the argument.

        few_shot_messages("Say the sentiment.", [("I love it", "positive")], "It broke")
        -> [{"role": "system", "content": "Say the sentiment."},
            {"role": "user", "content": "I love it"},
            {"role": "assistant", "content": "positive"},
            {"role": "user", "content": "It broke"}]
    """
    # BEGIN SOLUTION
    _need_text(instruction, "instruction")
    _need_text(query, "query")
    if not isinstance(examples, (list, tuple)):
        raise ValueError(f"examples must be a list of (input, output) pairs, got {type(examples).__name__}")
    messages = [{"role": "system", "content": instruction}]
    for i, example in enumerate(examples):
        if not isinstance(example, (list, tuple)) or len(example) != 2:
            raise ValueError(f"examples[{i}] must be an (input, output) pair, got {example!r}")
        given, wanted = example
        _need_text(given, f"examples[{i}] input")
        reply = wanted if isinstance(wanted, str) else json.dumps(wanted)
        messages.append({"role": "user", "content": given})
        messages.append({"role": "assistant", "content": reply})
    messages.append({"role": "user", "content": query})
    return messages
    # END SOLUTION


def classify(text: str, labels: list[str], examples: list[tuple[str, str]] | None = None) -> str:
    """The label in `labels` that the model picks for `text`; always one of `labels`.

    The reply is constrained by a JSON Schema whose `label` is an enum of the labels, so the
    model cannot answer anything else; `examples` ((text, label) pairs) make it few-shot.
    Every text goes through `render(MESSAGE_TEMPLATE, message=...)`, examples included, so
    the model sees them the same way. If the reply is somehow not valid, fall back to a
    label named in it, else the first label.

        classify("I was charged twice", ["billing", "bug"]) -> "billing"
        classify("hi", ["billing"]) -> ValueError (labels needs at least two)
    """
    # BEGIN SOLUTION
    _need_text(text, "text")
    if not isinstance(labels, (list, tuple)) or len(labels) < 2:
        raise ValueError(f"labels must be a list of at least two labels, got {labels!r}")
    labels = list(labels)
    for label in labels:
        _need_text(label, "each label")
    if len(set(labels)) != len(labels):
        raise ValueError(f"labels must be unique, got {labels!r}")
    shots = []
    for i, example in enumerate(examples or []):
        if not isinstance(example, (list, tuple)) or len(example) != 2 or example[1] not in labels:
            raise ValueError(f"examples[{i}] must be a (text, label) pair with a label from labels, got {example!r}")
        shots.append((render(MESSAGE_TEMPLATE, message=example[0]), {"label": example[1]}))
    schema = {
        "type": "object",
        "properties": {"label": {"type": "string", "enum": labels}},
        "required": ["label"],
    }
    messages = few_shot_messages(
        CLASSIFY_SYSTEM.format(labels=", ".join(labels)), shots, render(MESSAGE_TEMPLATE, message=text)
    )
    reply = llm.chat(messages, response_format={"type": "json_object", "schema": schema}, max_tokens=32)
    try:
        label = parse_json(reply.text).get("label")
    except (ValueError, AttributeError):
        label = None
    if label in labels:
        return label
    named = [lab for lab in labels if lab in reply.text]
    return named[0] if named else labels[0]
    # END SOLUTION


def evaluate(predict: Callable[[str], str], dataset: list[tuple[str, str]]) -> dict:
    """Run `predict` on every (text, expected) pair and measure it.

    Returns {"n", "accuracy", "per_label", "confusion", "failures"}:
      per_label  {expected label: accuracy on the items with that label}
      confusion  {expected: {predicted: count}} over every label seen (zeros included)
      failures   [{"text", "expected", "predicted"}, ...] in dataset order

        evaluate(str.lower, [("A", "a"), ("B", "x")])
        -> {"n": 2, "accuracy": 0.5, "per_label": {"a": 1.0, "x": 0.0},
            "confusion": {"a": {"a": 1, "b": 0, "x": 0}, "b": {...}, "x": {"a": 0, "b": 1, "x": 0}},
            "failures": [{"text": "B", "expected": "x", "predicted": "b"}]}
        evaluate(str.lower, []) -> ValueError (dataset must be a non-empty list of pairs), as is
        a predict that is not callable or an item that is not a (text, expected) pair
    """
    # BEGIN SOLUTION
    if not callable(predict):
        raise ValueError("predict must be a function from text to label")
    if not isinstance(dataset, (list, tuple)) or not dataset:
        raise ValueError("dataset must be a non-empty list of (text, expected) pairs")
    for i, item in enumerate(dataset):
        if not isinstance(item, (list, tuple)) or len(item) != 2:
            raise ValueError(f"dataset[{i}] must be a (text, expected) pair, got {item!r}")
    results = [(text, expected, predict(text)) for text, expected in dataset]
    labels = sorted({e for _, e, _ in results} | {p for _, _, p in results}, key=str)
    confusion = {e: {p: 0 for p in labels} for e in labels}
    for _, expected, predicted in results:
        confusion[expected][predicted] += 1
    per_label = {}
    for label in sorted({e for _, e, _ in results}, key=str):
        support = sum(confusion[label].values())
        per_label[label] = confusion[label][label] / support
    failures = [{"text": t, "expected": e, "predicted": p} for t, e, p in results if p != e]
    return {
        "n": len(results),
        "accuracy": (len(results) - len(failures)) / len(results),
        "per_label": per_label,
        "confusion": confusion,
        "failures": failures,
    }
    # END SOLUTION


def extract(text: str, schema: type[BaseModel]) -> BaseModel:
    """A validated instance of the pydantic model `schema`, filled in from `text`.

    The model's JSON Schema constrains the reply (so it is shaped right); pydantic then
    checks what a JSON Schema cannot (validators). If the reply is not valid JSON or fails
    validation, ask once more with the failed reply and the error in the conversation; if
    that fails too, raise ExtractionError with the error. Parse with `parse_json` (given):
    the grammar lets a raw newline into a string, which strict JSON rejects.

        class Contact(BaseModel):
            name: str = Field(max_length=40)
            email: str = Field(max_length=60)
        extract("I'm Ana Lima, ana@example.com", Contact)
        -> Contact(name="Ana Lima", email="ana@example.com")
        extract("", Contact) -> ValueError (text); extract(text, {"type": "object"}) -> ValueError
        (schema must be a pydantic model class, not a dict or an instance)
    """
    # BEGIN SOLUTION
    _need_text(text, "text")
    if not (isinstance(schema, type) and issubclass(schema, BaseModel)):
        raise ValueError(f"schema must be a pydantic model class, got {schema!r}")
    json_schema = schema.model_json_schema()
    messages = [
        {"role": "system", "content": EXTRACT_SYSTEM.format(fields=", ".join(json_schema.get("properties", {})))},
        {"role": "user", "content": render(MESSAGE_TEMPLATE, message=text)},
    ]
    for attempt in (1, 2):
        reply = llm.chat(messages, response_format={"type": "json_object", "schema": json_schema}, max_tokens=200)
        try:
            return schema.model_validate(parse_json(reply.text))
        except ValueError as exc:  # JSONDecodeError and pydantic's ValidationError both are
            if isinstance(exc, ValidationError):
                error = "; ".join(f"{'.'.join(map(str, e['loc'])) or 'reply'}: {e['msg']}" for e in exc.errors())
            else:
                error = f"not valid JSON ({exc})"
            if attempt == 2:
                raise ExtractionError(
                    f"the reply did not validate as {schema.__name__} after a retry: {error}"
                ) from exc
            messages += [
                {"role": "assistant", "content": reply.text},
                {"role": "user", "content": f"That reply is invalid: {error}. Answer again with corrected JSON."},
            ]
    raise AssertionError("unreachable")
    # END SOLUTION


def reason_then_answer(question: str, *, temperature: float = 0.0, seed: int = 0) -> dict:
    """Chain of thought with a shape: {"reasoning": str, "answer": str}.

    The schema (REASON_SCHEMA) puts `reasoning` before `answer`, so the model writes its
    steps before it commits to an answer, and bounds both with maxLength so it cannot loop.
    Parse with `parse_json` (given); if the reply is still not valid JSON (cut off by
    max_tokens, say), raise ValueError.

        reason_then_answer("What is 2 + 3?")
        -> {"reasoning": "2 plus 3 is 5.", "answer": "5"}
    """
    # BEGIN SOLUTION
    _need_text(question, "question")
    messages = [{"role": "system", "content": REASON_SYSTEM}, {"role": "user", "content": question}]
    reply = llm.chat(
        messages,
        response_format={"type": "json_object", "schema": REASON_SCHEMA},
        temperature=temperature,
        seed=seed,
        max_tokens=256,
    )
    try:
        data = parse_json(reply.text)
    except ValueError:
        raise ValueError(f"the model's reply is not valid JSON (finish_reason={reply.finish_reason}): {reply.text!r}") from None
    return {"reasoning": str(data.get("reasoning", "")), "answer": str(data.get("answer", "")).strip()}
    # END SOLUTION


def self_consistency(question: str, n: int = 5, *, temperature: float = 0.7) -> dict:
    """Ask `n` times with sampling on (temperature > 0, seeds 0..n-1) and take a majority
    vote over the answers, compared after `normalise_answer` (given).

    Returns {"answer", "votes", "agreement", "samples"}: the winning answer, {answer:
    count}, the winner's votes over n, and the raw answers in seed order. A sample whose
    reply is not valid (reason_then_answer raised ValueError) is None in `samples` and gets
    no vote; if no sample is valid, raise ValueError. A tie goes to the answer seen first.

        self_consistency("What is 2 + 3?", n=5)
        -> {"answer": "5", "votes": {"5": 4, "6": 1}, "agreement": 0.8, "samples": ["5", "5", "6", "5", "5."]}
    """
    # BEGIN SOLUTION
    _need_text(question, "question")
    if not isinstance(n, int) or isinstance(n, bool) or n < 1:
        raise ValueError(f"n must be a positive integer, got {n!r}")
    if not 0 < temperature <= 2:
        raise ValueError(f"temperature must be above 0 (and at most 2) so samples differ, got {temperature!r}")
    samples: list[str | None] = []
    for seed in range(n):
        try:
            samples.append(reason_then_answer(question, temperature=temperature, seed=seed)["answer"])
        except ValueError:
            samples.append(None)
    votes = Counter(normalise_answer(a) for a in samples if a is not None)
    if not votes:
        raise ValueError(f"none of the {n} samples gave a valid reply")
    answer, count = votes.most_common(1)[0]
    return {"answer": answer, "votes": dict(votes), "agreement": count / n, "samples": samples}
    # END SOLUTION
