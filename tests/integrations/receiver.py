"""A real HTTP server on 127.0.0.1 that plays another system receiving the shop's webhooks."""

import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Received:
    headers: dict[str, str]
    body: bytes


@dataclass
class Receiver:
    url: str
    # One answer per call, then 200: an HTTP status, or "hang" to answer only after `hang_seconds`.
    script: list = field(default_factory=list)
    received: list[Received] = field(default_factory=list)
    hang_seconds: float = 3.0


def start_receiver() -> tuple[Receiver, ThreadingHTTPServer]:
    receiver = Receiver(url="")

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 - the name http.server calls
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            receiver.received.append(Received(headers=dict(self.headers.items()), body=body))
            answer = receiver.script.pop(0) if receiver.script else 200
            if answer == "hang":
                time.sleep(receiver.hang_seconds)
                answer = 200
            self.send_response(answer)
            self.end_headers()
            self.wfile.write(b'{"ok": true}' if answer < 300 else b"busy, try later")

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    receiver.url = f"http://127.0.0.1:{server.server_port}/hooks"
    return receiver, server
