"""llama.cpp's OpenAI-compatible server (`python -m llama_cpp.server`) on 127.0.0.1, started
and stopped around a block: the real server the `openai` backend, the agents lab and the open
models lab talk to in their tests.

    with llama_server(model_path(), log_dir=tmp) as base_url:   # "http://127.0.0.1:PORT/v1"
        ...
    client = async_openai_client(base_url)   # for SDKs built on AsyncOpenAI (the Agents SDK)
"""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from .. import config
from ..errors import LocalModelError


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def llama_server(model: str | Path, *, log_dir: Path, alias: str = "smollm2", n_ctx: int = 2048,
                 seed: int = 0, wait_s: float = 60) -> Iterator[str]:
    """Serve `model` (a GGUF path) until the block ends; yields the base URL. A server that
    exits or is not answering after `wait_s` seconds is a LocalModelError with its log's end.
    The server uses as many threads as the in-process backend (AIE_LOCAL_THREADS, else every
    core), so a grader or test worker given a share of the cores keeps to it."""
    import httpx

    threads = str(config.local_threads())
    port = free_port()
    log_path = Path(log_dir) / "server.log"
    with log_path.open("wb") as log:  # a file, not a pipe: llama.cpp's load log would fill a pipe and block
        proc = subprocess.Popen([sys.executable, "-m", "llama_cpp.server", "--model", str(model),
                                 "--model_alias", alias, "--host", "127.0.0.1", "--port", str(port),
                                 "--n_ctx", str(n_ctx), "--seed", str(seed),
                                 "--n_threads", threads, "--n_threads_batch", threads], stdout=log, stderr=subprocess.STDOUT)
        try:
            base = f"http://127.0.0.1:{port}/v1"
            deadline = time.time() + wait_s
            while True:
                if proc.poll() is not None:
                    raise LocalModelError(f"llama_cpp.server exited: {log_path.read_text(errors='replace')[-1500:]}")
                try:
                    if httpx.get(f"{base}/models", timeout=1).status_code == 200:
                        break
                except httpx.HTTPError:
                    time.sleep(0.3)
                if time.time() > deadline:
                    raise LocalModelError(f"llama_cpp.server did not start within {wait_s:g} s")
            yield base
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()


def async_openai_client(base_url: str, api_key: str = "local", **kwargs):
    """An `openai.AsyncOpenAI` for an OpenAI-compatible server, sending an assistant turn's null
    `content` as "": the OpenAI API accepts null (the Agents SDK sends it beside tool calls),
    llama_cpp.server's request model refuses it (HTTP 500). Close it with `await client.close()`."""
    import json

    import httpx
    from openai import AsyncOpenAI

    class NullContentAsEmpty(httpx.AsyncHTTPTransport):
        async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
            if request.method == "POST" and request.url.path.endswith("/chat/completions"):
                body = json.loads(await request.aread() or b"{}")
                for message in body.get("messages") or []:
                    if message.get("role") == "assistant" and message.get("content") is None:
                        message["content"] = ""
                headers = [(k, v) for k, v in request.headers.multi_items() if k.lower() != "content-length"]
                request = httpx.Request("POST", request.url, headers=headers, json=body,
                                        extensions=request.extensions)
            return await super().handle_async_request(request)

    http_client = httpx.AsyncClient(transport=NullContentAsEmpty(), timeout=kwargs.pop("timeout", 600))
    return AsyncOpenAI(base_url=base_url, api_key=api_key, http_client=http_client, **kwargs)
