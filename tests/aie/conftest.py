"""Fixtures for the runtime's tests: a real OpenAI-compatible server on loopback."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time

import httpx
import pytest


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def llama_server(tmp_path_factory):
    """`python -m llama_cpp.server` on 127.0.0.1 with the packaged SmolLM2 GGUF: a real
    OpenAI-compatible HTTP server, the same one a learner can run for any GGUF."""
    from aie.llm._local import model_path

    port = _free_port()
    cmd = [sys.executable, "-m", "llama_cpp.server", "--model", str(model_path()), "--model_alias", "smollm2",
           "--host", "127.0.0.1", "--port", str(port), "--n_ctx", "2048", "--seed", "0"]
    log_path = tmp_path_factory.mktemp("llama_server") / "server.log"
    log = log_path.open("wb")  # a file, not a pipe: llama.cpp's load log would fill a pipe and block
    proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, env=dict(os.environ))
    base = f"http://127.0.0.1:{port}/v1"
    deadline = time.time() + 60
    while time.time() < deadline:
        if proc.poll() is not None:
            out = log_path.read_text(errors="replace")[-2000:]
            pytest.fail(f"llama_cpp.server exited: {out}")
        try:
            if httpx.get(f"{base}/models", timeout=1).status_code == 200:
                break
        except httpx.HTTPError:
            time.sleep(0.3)
    else:
        proc.kill()
        pytest.fail("llama_cpp.server did not start within 60 s")
    yield base
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
    log.close()


class CannedServer:
    """A tiny HTTP server on 127.0.0.1 that answers with recorded responses and keeps the
    requests it got. The provider SDKs talk to it for real (their own HTTP stacks), so the
    tests check the bytes we send and how we parse what comes back.

        server.add("POST", "/v1/messages", 200, {"json": ...})   # queue of answers per route
        server.requests[-1].json()                                # what the SDK sent
    """

    class Request:
        def __init__(self, method, path, headers, body):
            self.method, self.path, self.headers, self.body = method, path, headers, body

        def json(self):
            import json

            return json.loads(self.body)

    def __init__(self):
        import http.server
        import json
        import threading

        self.routes: dict[tuple[str, str], list] = {}
        self.requests: list[CannedServer.Request] = []
        server = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def _answer(self):
                length = int(self.headers.get("content-length") or 0)
                body = self.rfile.read(length) if length else b""
                path = self.path.split("?")[0]
                server.requests.append(CannedServer.Request(self.command, path, {k.lower(): v for k, v in self.headers.items()}, body))
                queue = server.routes.get((self.command, path))
                if not queue:
                    status, headers, payload = 404, {"content-type": "application/json"}, b'{"error": "no canned response"}'
                else:
                    status, headers, payload = queue.pop(0) if len(queue) > 1 else queue[0]
                self.send_response(status)
                for k, v in headers.items():
                    self.send_header(k, v)
                self.send_header("content-length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            do_GET = do_POST = _answer

        self._json = json
        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def add(self, method: str, path: str, status: int = 200, json=None, body: bytes | str | None = None,
            content_type: str = "application/json"):
        payload = self._json.dumps(json).encode() if json is not None else (body.encode() if isinstance(body, str) else body or b"")
        self.routes.setdefault((method, path), []).append((status, {"content-type": content_type}, payload))

    @property
    def calls(self) -> int:
        return len(self.requests)

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def canned():
    server = CannedServer()
    yield server
    server.close()
