"""`aie serve`: the capstone's web app — a page that answers questions about the handbook.

The app is plumbing; the parts that are the lesson come from lab 10 (`labs/capstone.py`,
or `solutions/capstone.py` with AIE_TARGET=solutions) as a module `lab` with:

    lab.Handbook()                                   the knowledge base (handbook + uploads)
    lab.retrieve(kb, question, k, user=...)          numbered hits (the retrieval endpoint)
    lab.answer_events(question, hits, history=...)   SSE strings: tokens, then "done"
    lab.render_answer(text, citations)               the answer as escaped HTML
    lab.ingest_upload(kb, user, filename, data)      checks, guards, chunks, indexes
    lab.RateLimiter(), lab.TokenBudget()             per-user limits
    lab.evaluate(kb, questions)                      lab 05's metrics on the handbook questions

What the app adds: the page and its script, the user's cookie, history per user trimmed by
tokens, generation in its own thread (the event loop keeps serving while the model works),
a bounded queue for the model with a clear "busy" answer, closed CORS unless
AIE_SERVE_CORS names origins, and security headers. Keys never reach the page: the page
shows the provider and model names and the running cost, nothing else.
"""

from __future__ import annotations

import asyncio
import json
import re
import secrets
import threading
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from starlette.requests import Request

from .. import config
from ..tokens import count_tokens

STATIC = Path(__file__).parent / "static"
HISTORY_TOKENS = 512  # history kept per user, counted with TOKEN_MODEL
TOKEN_MODEL = "gpt-4o-mini"
MAX_UPLOAD_BYTES = 2_000_000
MAX_QUESTION_CHARS = 500
MAX_WAITING = 8  # questions running or queued for the model before "busy"
_USER = re.compile(r"^[A-Za-z0-9_-]{8,64}$")


# --- Server-Sent Events ----------------------------------------------------------------------------


def sse(event: str, data: Any) -> str:
    """One Server-Sent Event: `event: <event>`, then `data: <json>` and a blank line.

        sse("token", {"text": "Hi"}) -> 'event: token\\ndata: {"text": "Hi"}\\n\\n'
    """
    if not isinstance(event, str) or not re.fullmatch(r"[a-z_]+", event):
        raise ValueError(f"event must be a lowercase name like 'token', got {event!r}")
    return f"event: {event}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n"


def parse_sse(text: str | Iterable[str]) -> list[tuple[str, Any]]:
    """The (event, data) pairs of a Server-Sent Events body (data parsed as JSON)."""
    if not isinstance(text, str):
        text = "".join(text)
    events = []
    for block in text.replace("\r\n", "\n").split("\n\n"):
        event, data = "message", []
        for line in block.split("\n"):
            if line.startswith("event:"):
                event = line[6:].strip()
            elif line.startswith("data:"):
                data.append(line[5:].lstrip(" "))
        if data:
            events.append((event, json.loads("\n".join(data))))
    return events


# --- history per user ------------------------------------------------------------------------------


class History:
    """Each user's recent turns, trimmed from the oldest so that they fit `max_tokens`."""

    def __init__(self, max_tokens: int = HISTORY_TOKENS, model: str = TOKEN_MODEL):
        self.max_tokens, self.model = max_tokens, model
        self._turns: dict[str, list[dict]] = {}
        self._lock = threading.Lock()

    def get(self, user: str) -> list[dict]:
        with self._lock:
            return [dict(m) for m in self._turns.get(user, [])]

    def add(self, user: str, question: str, answer: str) -> None:
        with self._lock:
            turns = self._turns.setdefault(user, [])
            turns += [{"role": "user", "content": question}, {"role": "assistant", "content": answer}]
            while turns and count_tokens(turns, self.model) > self.max_tokens:
                del turns[:2]


# --- generation in its own thread ------------------------------------------------------------------


async def in_thread(events: Iterator[str], stop: threading.Event):
    """Iterate a blocking generator in a thread of its own, yielding its items here, so the
    event loop keeps serving while the model generates. Setting `stop` (the client went
    away) closes the generator, which frees the model."""
    loop = asyncio.get_running_loop()
    queue: asyncio.Queue = asyncio.Queue()
    done = object()

    def run():
        try:
            for item in events:
                loop.call_soon_threadsafe(queue.put_nowait, item)
                if stop.is_set():
                    break
        except Exception as exc:  # the message only: never a traceback or a key
            loop.call_soon_threadsafe(queue.put_nowait, sse("error", {"error": config.redact(str(exc))}))
        finally:
            close = getattr(events, "close", None)
            if close is not None:
                close()
            loop.call_soon_threadsafe(queue.put_nowait, done)

    threading.Thread(target=run, name="aie-serve-generate", daemon=True).start()
    while True:
        item = await queue.get()
        if item is done:
            return
        yield item


# --- the app ---------------------------------------------------------------------------------------


def default_lab():
    """Lab 10 from AIE_TARGET (labs by default)."""
    from ..grading import load_lab

    return load_lab("capstone")


def create_app(lab: Any = None, *, kb: Any = None, cors_origins: list[str] | None = None,
               max_upload_bytes: int = MAX_UPLOAD_BYTES, max_waiting: int = MAX_WAITING,
               history_tokens: int = HISTORY_TOKENS, questions: list[dict] | None = None, k: int = 2,
               chat: Any = None):
    """The FastAPI app over `lab` (see the module docstring). `k` passages go into each
    prompt; `chat` replaces `aie.llm.chat` in `lab.answer_events` (a stand-in for tests)."""
    from fastapi import FastAPI
    from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, StreamingResponse

    lab = default_lab() if lab is None else lab
    kb = lab.Handbook() if kb is None else kb
    limiter, budget = lab.RateLimiter(), lab.TokenBudget()
    history = History(history_tokens)
    waiting = {"n": 0}
    if cors_origins is None:
        cors_origins = [o.strip() for o in (config.get("AIE_SERVE_CORS") or "").split(",") if o.strip()]

    app = FastAPI(title="AI Engineer Labs — handbook assistant", docs_url=None, redoc_url=None, openapi_url=None)
    app.state.lab, app.state.kb, app.state.history = lab, kb, history
    if cors_origins:  # closed by default: only origins named in AIE_SERVE_CORS
        from fastapi.middleware.cors import CORSMiddleware

        app.add_middleware(CORSMiddleware, allow_origins=cors_origins, allow_methods=["GET", "POST"],
                           allow_headers=["Content-Type"])

    @app.middleware("http")
    async def headers(request: Request, call_next):
        response = await call_next(request)
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["X-Frame-Options"] = "DENY"
        response.headers["Referrer-Policy"] = "no-referrer"
        response.headers["Content-Security-Policy"] = (
            "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
            "connect-src 'self'; frame-ancestors 'none'")
        return response

    def user_of(request: Request) -> str:
        user = request.headers.get("x-user") or request.cookies.get("aie_user") or ""
        return user if _USER.match(user) else "anonymous"

    def problem(status: int, message: str) -> JSONResponse:
        return JSONResponse({"error": message}, status_code=status)

    def spent_usd() -> float:
        from ..llm import spent

        return round(spent(), 6)

    @app.get("/", response_class=HTMLResponse)
    async def page(request: Request):
        response = FileResponse(STATIC / "index.html", media_type="text/html")
        if not _USER.match(request.cookies.get("aie_user") or ""):
            response.set_cookie("aie_user", secrets.token_urlsafe(16), httponly=True, samesite="strict")
        return response

    @app.get("/static/{name}")
    async def static(name: str):
        files = {p.name: p for p in STATIC.iterdir() if p.suffix in (".js", ".css")}
        if name not in files:  # a fixed list of files: no path from the URL reaches the disk
            return problem(404, f"no static file {name!r}")
        return FileResponse(files[name])

    @app.get("/api/info")
    async def info(request: Request):
        from ..llm import resolve

        provider, model = resolve()
        user = user_of(request)
        return {"provider": provider, "model": model, "spent_usd": spent_usd(),
                "tokens_left": budget.remaining(user), "max_upload_bytes": max_upload_bytes}

    @app.get("/api/search")
    async def search(request: Request, q: str = "", k: int = 3):
        if not q.strip() or len(q) > MAX_QUESTION_CHARS:
            return problem(400, f"q must be a question of 1 to {MAX_QUESTION_CHARS} characters")
        if not 1 <= k <= 10:
            return problem(400, "k must be between 1 and 10")
        hits = await asyncio.to_thread(lab.retrieve, kb, q, k, user=user_of(request))
        return {"hits": hits}

    @app.get("/api/passage")
    async def passage(request: Request, id: str = ""):
        chunk = kb.passage(id, user=user_of(request))
        if chunk is None:
            return problem(404, f"no passage {id!r}")
        return {"id": chunk["id"], "title": chunk.get("title", ""), "text": chunk["text"]}

    @app.post("/api/ask")
    async def ask(request: Request):
        user = user_of(request)
        try:
            body = await request.json()
        except ValueError:
            return problem(400, 'send JSON: {"question": "..."}')
        question = body.get("question") if isinstance(body, dict) else None
        if not isinstance(question, str) or not question.strip() or len(question) > MAX_QUESTION_CHARS:
            return problem(400, f"question must be text of 1 to {MAX_QUESTION_CHARS} characters")
        ok, retry_after = limiter.allow(user)
        if not ok:
            return JSONResponse({"error": f"too many questions: try again in {retry_after:.0f} s"},
                                status_code=429, headers={"Retry-After": str(max(1, round(retry_after)))})
        if budget.remaining(user) <= 0:
            return problem(429, "your token budget is spent: it refills tomorrow (or ask the operator)")
        if waiting["n"] >= max_waiting:
            return problem(503, f"the model is busy ({waiting['n']} questions ahead): try again in a few seconds")
        waiting["n"] += 1
        try:
            hits = await asyncio.to_thread(lab.retrieve, kb, question, k, user=user)
        except Exception:
            waiting["n"] -= 1
            raise
        stop = threading.Event()
        extra = {} if chat is None else {"chat": chat}
        events = lab.answer_events(question, hits, history=history.get(user), **extra)

        async def body_stream():
            answer: list[str] = []
            try:
                async for item in in_thread(events, stop):
                    for event, data in parse_sse(item):
                        if event == "token":
                            answer.append(data.get("text", ""))
                        elif event == "done":
                            usage = data.get("usage") or {}
                            budget.spend(user, int(usage.get("prompt_tokens", 0)) + int(usage.get("completion_tokens", 0)))
                            history.add(user, question, "".join(answer))
                            data = {**data, "html": lab.render_answer("".join(answer), data.get("citations", [])),
                                    "spent_usd": spent_usd(), "tokens_left": budget.remaining(user)}
                            item = sse("done", data)
                    yield item
                    if await request.is_disconnected():
                        stop.set()
                        return
            finally:
                stop.set()
                waiting["n"] -= 1

        return StreamingResponse(body_stream(), media_type="text/event-stream",
                                 headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"})

    @app.post("/api/upload")
    async def upload(request: Request):
        user = user_of(request)
        length = int(request.headers.get("content-length") or 0)
        if length > max_upload_bytes + 4096:
            return problem(413, f"the upload is over {max_upload_bytes // 1000} kB: send a smaller file")
        form = await request.form(max_files=1, max_fields=2)
        file = form.get("file")
        if file is None or not hasattr(file, "read"):
            return problem(400, "send the document as multipart form field 'file'")
        data = await file.read(max_upload_bytes + 1)
        try:
            result = await asyncio.to_thread(lab.ingest_upload, kb, user, file.filename or "", data,
                                             max_bytes=max_upload_bytes)
        except ValueError as exc:  # a refusal: wrong type, too big, an injection
            return problem(422, str(exc))
        return result

    @app.get("/api/evaluate")
    async def evaluate(n: int = 5):
        if not 1 <= n <= 50:
            return problem(400, "n must be between 1 and 50")
        from ..data import load_handbook_questions

        qs = (questions or load_handbook_questions("heldout"))[:n]
        return await asyncio.to_thread(lab.evaluate, kb, qs)

    return app


def serve(host: str = "127.0.0.1", port: int = 8000, *, lab: Any = None, log_level: str = "warning") -> None:
    """Run the app with uvicorn (blocking)."""
    import uvicorn

    uvicorn.run(create_app(lab), host=host, port=port, log_level=log_level, access_log=False)


class Server:
    """The app on a free loopback port in a background thread (for tests, the load test and
    the notebook): `with Server(app) as url: ...`."""

    def __init__(self, app, host: str = "127.0.0.1", port: int = 0, timeout_s: float = 30.0):
        import socket

        import uvicorn

        if port == 0:
            with socket.socket() as s:
                s.bind((host, 0))
                port = s.getsockname()[1]
        self.url = f"http://{host}:{port}"
        self.timeout_s = timeout_s
        self._server = uvicorn.Server(uvicorn.Config(app, host=host, port=port, log_level="warning",
                                                     access_log=False, lifespan="off"))
        self._thread = threading.Thread(target=self._server.run, name="aie-serve", daemon=True)

    def __enter__(self) -> str:
        import time

        self._thread.start()
        deadline = time.monotonic() + self.timeout_s
        while not self._server.started:
            if time.monotonic() > deadline or not self._thread.is_alive():
                raise RuntimeError(f"the app did not start on {self.url} within {self.timeout_s:g} s")
            time.sleep(0.05)
        return self.url

    def __exit__(self, *exc) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=10)


def load_test(url: str, *, users: int = 2, seconds: float = 10.0, max_requests: int = 20,
              questions: list[str] | None = None, timeout_s: float = 300.0) -> dict:
    """`users` concurrent users ask questions against the app at `url` until `seconds` have
    passed or `max_requests` were sent (bounded in count and time); each user waits for its
    answer's end before asking again. Returns requests served, errors, and p50/p95 of the
    time to the first token and to the last, in seconds."""
    import statistics
    import time

    import httpx

    questions = questions or ["How many days of annual leave do I get?", "How do I book the sauna?",
                              "Who approves travel expenses?", "What is the default retention period?"]
    lock = threading.Lock()
    sent = {"n": 0}
    first, last, errors = [], [], []
    end = time.monotonic() + seconds

    def user(i: int) -> None:
        with httpx.Client(timeout=timeout_s) as client:
            j = 0
            while time.monotonic() < end:
                with lock:
                    if sent["n"] >= max_requests:
                        return
                    sent["n"] += 1
                question = questions[(i + j) % len(questions)]
                j += 1
                start, got_first, done = time.monotonic(), None, False
                try:
                    with client.stream("POST", f"{url}/api/ask", json={"question": question},
                                       headers={"x-user": f"load-user-{i:04d}"}) as r:
                        if r.status_code != 200:
                            errors.append(f"HTTP {r.status_code}")
                            continue
                        for line in r.iter_lines():
                            if line.startswith("event: token") and got_first is None:
                                got_first = time.monotonic() - start
                            elif line.startswith("event: error"):
                                errors.append("error event")
                            elif line.startswith("event: done"):
                                done = True
                except httpx.HTTPError as exc:
                    errors.append(type(exc).__name__)
                    continue
                if not done or got_first is None:
                    errors.append("no done event")
                    continue
                with lock:
                    first.append(got_first)
                    last.append(time.monotonic() - start)

    threads = [threading.Thread(target=user, args=(i,)) for i in range(users)]
    t0 = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    def pct(values: list[float], q: float) -> float | None:
        if not values:
            return None
        if len(values) == 1:
            return values[0]
        return statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1]

    return {"users": users, "seconds": round(time.monotonic() - t0, 2), "served": len(last), "errors": len(errors),
            "error_kinds": sorted(set(errors)), "ttft_p50": pct(first, 50), "ttft_p95": pct(first, 95),
            "last_p50": pct(last, 50), "last_p95": pct(last, 95)}
