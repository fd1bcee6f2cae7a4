"""A local HTTP server standing in for an outside service in tests and benches: no network.

A fake subclasses FakeService and answers `handle(method, path, query, headers, body)` with
(status, JSON-able data or bytes, content type). It runs in a thread on 127.0.0.1 and counts
the requests it served, so a test can say how often the shop asked."""

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit


class FakeService:
    def __init__(self) -> None:
        self.requests: list[tuple[str, str]] = []
        self.delay = 0.0  # seconds every answer waits: longer than the shop's timeout is a timeout
        self.down = False  # answer 503 to everything
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> "FakeService":
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def _answer(self) -> None:
                split = urlsplit(self.path)
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                with fake._lock:
                    fake.requests.append((self.command, split.path))
                if fake.delay:
                    time.sleep(fake.delay)
                if fake.down:
                    status, data, content_type = 503, {"error": "down"}, "application/json"
                else:
                    status, data, content_type = fake.handle(
                        self.command, split.path, parse_qs(split.query), self.headers, body
                    )
                raw = data if isinstance(data, bytes) else json.dumps(data, ensure_ascii=False).encode()
                try:
                    self.send_response(status)
                    if status in (301, 302, 303):
                        self.send_header("Location", data.decode() if isinstance(data, bytes) else str(data))
                        raw = b""
                    self.send_header("Content-Type", content_type)
                    self.send_header("Content-Length", str(len(raw)))
                    self.end_headers()
                    self.wfile.write(raw)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up waiting (a timeout test)

            do_GET = do_POST = do_DELETE = _answer

            def log_message(self, *args) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    def __enter__(self) -> "FakeService":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    def handle(self, method: str, path: str, query: dict, headers, body: bytes) -> tuple[int, Any, str]:
        raise NotImplementedError
