"""Fixtures for the runtime's tests: a real OpenAI-compatible server on loopback, and a
silent one that never answers."""

from __future__ import annotations

import socket
import threading

import pytest


@pytest.fixture
def silent():
    """A loopback server that accepts connections and never answers: every call times out.
    Yields (its URL, the connections it accepted)."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(16)
    accepted: list[socket.socket] = []

    def serve():
        while True:
            try:
                accepted.append(server.accept()[0])
            except OSError:
                return

    threading.Thread(target=serve, daemon=True).start()
    yield f"http://127.0.0.1:{server.getsockname()[1]}", accepted
    server.close()
    for conn in accepted:
        conn.close()


@pytest.fixture(scope="session")
def llama_server(tmp_path_factory):
    """`python -m llama_cpp.server` on 127.0.0.1 with the packaged SmolLM2 GGUF: a real
    OpenAI-compatible HTTP server, the same one a learner can run for any GGUF."""
    from aie.llm._local import model_path
    from aie.llm.server import llama_server as serve

    with serve(model_path(), log_dir=tmp_path_factory.mktemp("llama_server")) as base:
        yield base


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
