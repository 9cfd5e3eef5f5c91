"""Lab 10 — Capstone: a handbook assistant on the web, streamed, cited, guarded and measured.

Covers: the retrieval endpoint (numbered hits a page can cite), the Server-Sent Events
generator (tokens as they come, then one final event with citations, usage and cost),
citation rendering with HTML escaping, ingestion of an uploaded document (type and size
checks, guards, chunking, indexing), a per-user rate limit and token budget, and an
evaluation endpoint with lab 05's metrics. `aie serve` runs the app around them:

    AIE_TARGET=solutions aie serve          # then open http://127.0.0.1:8000/

    kb = Handbook()
    retrieve(kb, "How many days of annual leave do I get?", 3)
    -> [{"n": 1, "id": "hr-leave#0", "source": "hr-leave", "title": "Annual leave", "text": ..., "score": 9.1}, ...]

Leaves to other labs: chunking and BM25 search (lab 05: the `rag` module next to this one),
token counting and history trimming (lab 01, done by the app), guards against injection
and personal data (lab 07: the `safety` module next to this one), the web plumbing itself
(`aie/serve`).
"""

from __future__ import annotations

import html
import importlib
import io
import re
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

from aie import llm, validate
from aie.data import load_handbook
from aie.serve import sse

K = 3  # passages retrieved per question
ANSWER_TOKENS = 96  # max_tokens of a streamed answer
UPLOAD_TYPES = {".md": "markdown", ".markdown": "markdown", ".txt": "markdown", ".pdf": "pdf"}
MAX_UPLOAD_BYTES = 2_000_000
UPLOAD_CHUNK_TOKENS = 128
SYSTEM = ("You answer questions about a company handbook from the numbered sources only. "
          "Answer in one or two short sentences. If the sources do not say, answer: not in the documents.")

# Personal data an upload loses before indexing (lab 07's redact_pii types): contact and
# payment details. Names stay: a handbook names its people, and the small spaCy model also
# reads capitalised words ("Bike room") as names.
UPLOAD_PII_TYPES = ("EMAIL_ADDRESS", "PHONE_NUMBER", "CREDIT_CARD", "IBAN_CODE")


# --- given helpers -------------------------------------------------------------------------------


def _earlier_lab(lab_id: str, probe: Callable[[Any], object], missing: str):
    """Lab `lab_id` next to this one (labs.<id> for labs.capstone) once `probe(module)` runs
    on it, else the reference where it ships; neither: NotImplementedError(`missing`)."""
    package = (__spec__.name if __spec__ is not None else __name__).rpartition(".")[0] or "solutions"
    for name in dict.fromkeys([f"{package}.{lab_id}", f"solutions.{lab_id}"]):
        try:
            module = importlib.import_module(name)
            probe(module)
            return module
        except (ImportError, NotImplementedError):
            continue
    raise NotImplementedError(missing)


def rag_module():
    """Lab 05 next to this one (labs.rag for labs.capstone), or the reference where it ships."""
    return _earlier_lab("rag", lambda rag: rag.chunk_markdown("# t\n\nx\n", 16, "t"),
                        "the capstone needs lab 05's chunk_markdown and bm25_search: finish them first")


def safety_module():
    """Lab 07 next to this one (labs.safety for labs.capstone), or the reference where it
    ships: its `detect_injection` and `redact_pii` guard the uploads."""
    return _earlier_lab("safety", lambda safety: (safety.detect_injection(""), safety.redact_pii("")),
                        "uploads need lab 07's detect_injection and redact_pii: finish them first")


class Handbook:
    """The app's knowledge base: the handbook's chunks (lab 05's `chunk_corpus`) plus each
    user's uploads, which only that user sees. Thread-safe."""

    def __init__(self, docs: list[dict] | None = None):
        self.rag = rag_module()
        self.chunks = self.rag.chunk_corpus(load_handbook() if docs is None else docs)
        self.uploads: dict[str, list[dict]] = {}
        self._lock = threading.Lock()

    def chunks_for(self, user: str | None) -> list[dict]:
        with self._lock:
            return self.chunks + list(self.uploads.get(user or "", []))

    def add(self, user: str, chunks: list[dict]) -> None:
        with self._lock:
            self.uploads.setdefault(user, []).extend(chunks)

    def passage(self, chunk_id: str, user: str | None = None) -> dict | None:
        return next((c for c in self.chunks_for(user) if c["id"] == chunk_id), None)


def pdf_text(data: bytes) -> str:
    """The text of a PDF's pages (pypdf), pages separated by blank lines."""
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(data))
    return "\n\n".join((page.extract_text() or "").strip() for page in reader.pages)


# --- 1. retrieval ---------------------------------------------------------------------------------


def retrieve(kb: Handbook, question: str, k: int = K, *, user: str | None = None) -> list[dict]:
    """The retrieval endpoint's answer: the `k` best passages for `question` by BM25 (lab
    05's `bm25_search`) over the handbook and `user`'s own uploads, numbered from 1 in rank
    order, each {"n", "id", "source", "title", "text", "score"} (title "" when the chunk
    has none).

        retrieve(kb, "sauna booking", 2) -> [{"n": 1, "id": "office-tallinn#3", ...}, {"n": 2, ...}]

    A question that is not a non-empty string is a ValueError; k must be an integer from
    1 to 10 (ValueError). Another user's uploads are never returned.
    """
    # BEGIN SOLUTION
    if not isinstance(question, str) or not question.strip():
        raise ValueError("question must be a non-empty string")
    if isinstance(k, bool) or not isinstance(k, int) or not 1 <= k <= 10:
        raise ValueError(f"k must be an integer from 1 to 10, got {k!r}")
    hits = kb.rag.bm25_search(question, kb.chunks_for(user), k)
    return [{"n": n, "id": h["id"], "source": h["source"], "title": h.get("title", ""),
             "text": h["text"], "score": float(h["score"])} for n, h in enumerate(hits, 1)]
    # END SOLUTION


# --- 2. the streamed answer -----------------------------------------------------------------------


def answer_events(question: str, hits: list[dict], *, history: list[dict] | None = None,
                  max_tokens: int = ANSWER_TOKENS, chat: Callable[..., Any] = llm.chat) -> Iterator[str]:
    """Answer `question` from `hits` as Server-Sent Events (`sse(event, data)` strings).

    No hits: one "token" event with "not in the documents", then "done" with no citations
    and zero usage — without calling the model. Otherwise build the prompt with lab 05's
    `build_prompt(question, hits)`, put `history` (earlier turns, oldest first) between its
    system and user messages, and call `chat(messages, stream=True, max_tokens=max_tokens)`;
    yield sse("token", {"text": chunk}) for each chunk as it arrives, then

        sse("done", {"citations": [...], "usage": {"prompt_tokens", "completion_tokens"},
                     "cost": completion.cost, "provider": ..., "model": ...})

    where citations are the hits whose text backs at least one content word of the answer
    (lab 05's `groundedness(answer, [hit]) > 0`), in hit order, each {"n", "id", "title"}.

        list(answer_events("How long is leave?", hits)) -> ['event: token\\ndata: {"text": "27"}\\n\\n', ...,
                                                           'event: done\\ndata: {"citations": [{"n": 1, ...}], ...}\\n\\n']

    An empty question is a ValueError; hits must be a list (ValueError).
    """
    # BEGIN SOLUTION
    if not isinstance(question, str) or not question.strip():
        raise ValueError("question must be a non-empty string")
    if not isinstance(hits, list):
        raise ValueError("hits must be a list of passages from retrieve()")
    rag = rag_module()
    if not hits:
        yield sse("token", {"text": rag.NOT_FOUND})
        yield sse("done", {"citations": [], "usage": {"prompt_tokens": 0, "completion_tokens": 0},
                           "cost": 0.0, "provider": None, "model": None})
        return
    system, user = rag.build_prompt(question, hits)
    messages = [system, *(history or []), user]
    stream = chat(messages, stream=True, max_tokens=max_tokens)
    parts = []
    for chunk in stream:
        parts.append(chunk)
        yield sse("token", {"text": chunk})
    done = stream.completion
    text = "".join(parts)
    citations = [{"n": h["n"], "id": h["id"], "title": h.get("title", "")}
                 for h in hits if rag.groundedness(text, [h]) > 0]
    yield sse("done", {"citations": citations,
                       "usage": {"prompt_tokens": done.usage.prompt_tokens,
                                 "completion_tokens": done.usage.completion_tokens},
                       "cost": done.cost, "provider": done.provider, "model": done.model})
    # END SOLUTION


# --- 3. citations in HTML -------------------------------------------------------------------------


def render_answer(text: str, citations: list[dict]) -> str:
    """The answer as HTML for the page: the text escaped (html.escape), every "[n]" in it
    whose n is a citation's made a link, and the citations listed after it, each a link:

        <a class="cite" href="#" data-id="{id}">[{n}]</a>

    with id escaped too (quote=True). A "[n]" that is no citation's stays plain text.

        render_answer("27 days [1] <b>", [{"n": 1, "id": "hr-leave#0", "title": "Leave"}])
        -> '<p>27 days <a class="cite" href="#" data-id="hr-leave#0">[1]</a> &lt;b&gt;</p>'
           '<p class="sources">Sources: <a class="cite" href="#" data-id="hr-leave#0">[1]</a> Leave</p>'

    No citations: only the <p> with the text. text must be a string, citations a list of
    dicts with "n" and "id" (ValueError).
    """
    # BEGIN SOLUTION
    if not isinstance(text, str):
        raise ValueError("text must be a string")
    if not isinstance(citations, list) or not all(isinstance(c, dict) and "n" in c and "id" in c for c in citations):
        raise ValueError("citations must be a list of dicts with 'n' and 'id'")
    links = {str(c["n"]): f'<a class="cite" href="#" data-id="{html.escape(str(c["id"]), quote=True)}">[{int(c["n"])}]</a>'
             for c in citations}
    body = re.sub(r"\[(\d+)\]", lambda m: links.get(m.group(1), m.group(0)), html.escape(text))
    out = f"<p>{body}</p>"
    if citations:
        items = " ".join(f'{links[str(c["n"])]} {html.escape(str(c.get("title", "")))}' for c in citations)
        out += f'<p class="sources">Sources: {items}</p>'
    return out
    # END SOLUTION


# --- 4. uploads -----------------------------------------------------------------------------------


def ingest_upload(kb: Handbook, user: str, filename: str, data: bytes, *, max_bytes: int = MAX_UPLOAD_BYTES) -> dict:
    """Check, guard, chunk and index an uploaded document for `user`; return {"source",
    "chunks", "redacted"}.

    1. Checks (ValueError with a message a user can act on): `data` bytes of 1 to
       `max_bytes` bytes; the file name's extension in UPLOAD_TYPES; a PDF must start with
       b"%PDF-" and is read with `pdf_text`; markdown must be UTF-8.
    2. The source id is "upload-" and the name's stem reduced to [a-z0-9-] (lower case, at
       most 40 characters): the file name never reaches a path ("../../etc/passwd.md" ->
       "upload-passwd").
    3. Lab 07's guards, from `safety_module()`: `detect_injection(text)` flags an injection
       (refused: a ValueError that says "prompt injection" and gives the reasons); then
       `redact_pii(text, types=UPLOAD_PII_TYPES)` replaces personal data by placeholders
       (<EMAIL_ADDRESS_1>, ...) and "redacted" is how many distinct values it replaced. The
       mapping back to the originals is dropped: it is never indexed.
    4. lab 05's `chunk_markdown(text, UPLOAD_CHUNK_TOKENS, source)`, each chunk with
       "title" (the file's stem) and added with `kb.add(user, chunks)`.

        ingest_upload(kb, "u1", "notes.md", b"# Parking\\n\\nSpot 12 is mine.")
        -> {"source": "upload-notes", "chunks": 1, "redacted": 0}
    """
    # BEGIN SOLUTION
    if not isinstance(data, bytes | bytearray) or not data:
        raise ValueError("the upload is empty: send a markdown or PDF file")
    if len(data) > max_bytes:
        raise ValueError(f"the upload is {len(data)} bytes, over the limit of {max_bytes}: send a smaller file")
    if not isinstance(filename, str):
        raise ValueError("filename must be a string")
    base = re.split(r"[\\/]", filename)[-1]
    stem, dot, ext = base.rpartition(".")
    ext = f".{ext.lower()}" if dot else ""
    if ext not in UPLOAD_TYPES:
        raise ValueError(f"filename {base!r}: only {', '.join(sorted(UPLOAD_TYPES))} files are accepted")
    if UPLOAD_TYPES[ext] == "pdf":
        if not bytes(data).startswith(b"%PDF-"):
            raise ValueError(f"{base!r} is not a PDF (it does not start with %PDF-)")
        try:
            text = pdf_text(bytes(data))
        except Exception as exc:
            raise ValueError(f"{base!r} could not be read as a PDF: {exc}") from None
    else:
        try:
            text = bytes(data).decode("utf-8")
        except UnicodeDecodeError:
            raise ValueError(f"{base!r} is not UTF-8 text: save it as UTF-8 markdown") from None
    if not text.strip():
        raise ValueError(f"{base!r} has no text to index")
    slug = re.sub(r"[^a-z0-9]+", "-", stem.lower()).strip("-")[:40] or "document"
    source = f"upload-{slug}"
    safety = safety_module()
    verdict = safety.detect_injection(text)
    if verdict["injection"]:
        raise ValueError(f"{base!r} was refused: it contains instructions aimed at the assistant "
                         f"(a prompt injection: {', '.join(verdict['reasons'])})")
    clean, mapping = safety.redact_pii(text, types=UPLOAD_PII_TYPES)
    redacted = len(mapping)
    chunks = kb.rag.chunk_markdown(clean, UPLOAD_CHUNK_TOKENS, source)
    for chunk in chunks:
        chunk["title"] = stem
    kb.add(user, chunks)
    return {"source": source, "chunks": len(chunks), "redacted": redacted}
    # END SOLUTION


# --- 5. limits ------------------------------------------------------------------------------------


class RateLimiter:
    """At most `max_requests` questions per user in any `window_s` seconds (a sliding window).

        limiter = RateLimiter(2, 60)
        limiter.allow("u1", now=0) -> (True, 0.0); limiter.allow("u1", now=1) -> (True, 0.0)
        limiter.allow("u1", now=2) -> (False, 58.0)     # the oldest frees up at t=60
        limiter.allow("u2", now=2) -> (True, 0.0)       # users are counted apart

    A refused request is not counted. max_requests and window_s must be positive (ValueError).
    """

    def __init__(self, max_requests: int = 10, window_s: float = 60.0):
        # BEGIN SOLUTION
        self.max_requests = validate.positive_int(max_requests, "max_requests")
        self.window_s = validate.number(window_s, "window_s", minimum=0.0, exclusive_minimum=True)
        self._seen: dict[str, list[float]] = {}
        self._lock = threading.Lock()
        # END SOLUTION

    def allow(self, user: str, now: float | None = None) -> tuple[bool, float]:
        """(allowed, seconds until the next request would be allowed: 0.0 when allowed)."""
        # BEGIN SOLUTION
        now = time.monotonic() if now is None else now
        with self._lock:
            times = [t for t in self._seen.get(user, []) if t > now - self.window_s]
            if len(times) >= self.max_requests:
                self._seen[user] = times
                return False, times[0] + self.window_s - now
            times.append(now)
            self._seen[user] = times
            return True, 0.0
        # END SOLUTION


class TokenBudget:
    """Each user may spend `tokens_per_user` tokens (prompt + completion) in all.

        budget = TokenBudget(1000)
        budget.spend("u1", 400); budget.remaining("u1") -> 600
        budget.spend("u1", 700); budget.remaining("u1") -> 0     # never below 0

    tokens_per_user must be positive; a spend must be a non-negative integer (ValueError).
    """

    def __init__(self, tokens_per_user: int = 20_000):
        # BEGIN SOLUTION
        self.tokens_per_user = validate.positive_int(tokens_per_user, "tokens_per_user")
        self._spent: dict[str, int] = {}
        self._lock = threading.Lock()
        # END SOLUTION

    def spend(self, user: str, tokens: int) -> None:
        # BEGIN SOLUTION
        if isinstance(tokens, bool) or not isinstance(tokens, int) or tokens < 0:
            raise ValueError(f"tokens must be a non-negative integer, got {tokens!r}")
        with self._lock:
            self._spent[user] = self._spent.get(user, 0) + tokens
        # END SOLUTION

    def remaining(self, user: str) -> int:
        # BEGIN SOLUTION
        with self._lock:
            return max(0, self.tokens_per_user - self._spent.get(user, 0))
        # END SOLUTION


# --- 6. evaluation --------------------------------------------------------------------------------


def evaluate(kb: Handbook, questions: list[dict], *, k: int = K,
             answer_fn: Callable[[str], str] | None = None) -> dict:
    """Lab 05's metrics for the app on handbook questions ({"question", "answer",
    "doc_ids"}): {"n", "recall", "mrr", "groundedness", "accuracy", "k"}.

    recall and mrr: lab 05's `retrieval_metrics(questions, retriever, k)` with the app's
    retrieval (`retrieve(kb, q, k)`). For each question, the answer is
    `answer_fn(question)` (by default the text of `answer_events`, joined), groundedness is
    lab 05's `groundedness(answer, hits)` against the retrieved hits, and it is accurate
    when lab 05's `answer_matches(answer, gold)`; both are averaged over all questions.

    questions must be a non-empty list (ValueError).
    """
    # BEGIN SOLUTION
    if not isinstance(questions, list) or not questions:
        raise ValueError("questions must be a non-empty list of handbook questions")
    rag = rag_module()

    def retriever(q: str, n: int) -> list[dict]:
        return retrieve(kb, q, n)

    def default_answer(q: str) -> str:
        from aie.serve import parse_sse

        events = parse_sse(answer_events(q, retrieve(kb, q, k)))
        return "".join(d["text"] for e, d in events if e == "token")

    answer_fn = answer_fn or default_answer
    answerable = [q for q in questions if q.get("doc_ids")]
    metrics = rag.retrieval_metrics(answerable, retriever, k) if answerable else {"recall": 0.0, "mrr": 0.0}
    grounded, correct = [], []
    for q in questions:
        text = answer_fn(q["question"])
        grounded.append(rag.groundedness(text, retrieve(kb, q["question"], k)) if text.strip() else 0.0)
        correct.append(bool(rag.answer_matches(text, q["answer"])))
    n = len(questions)
    return {"n": n, "k": k, "recall": metrics["recall"], "mrr": metrics["mrr"],
            "groundedness": sum(grounded) / n, "accuracy": sum(correct) / n}
    # END SOLUTION
