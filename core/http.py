"""JSON over HTTP for the outside services the shop talks to (a payment provider, carriers).

The standard library is enough for a few JSON calls. What the callers need is one clear split:
an answer (any status the service gave, with its JSON) or ServiceUnavailable (no answer in
time, the connection refused, a 5xx), which means "try again later, nothing is decided".
"""

import base64
import http.client
import json
import urllib.error
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


class ServiceUnavailable(Exception):
    """The service did not answer, or answered that it is not working right now."""


@dataclass(frozen=True)
class Answer:
    status: int
    data: Any

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300


def basic_auth(user: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


def http_request(method: str, url: str, *, data: bytes | None = None, headers: Mapping[str, str] | None = None,
                 timeout: float = 10.0) -> tuple[int, bytes]:
    """Send `data` and return the service's (status, body), whatever the status. Raises
    ServiceUnavailable on a timeout, a network error or a 5xx."""
    if not url.startswith(("https://", "http://")):
        raise ValueError(f"Not an HTTP address: {url!r}")
    request = urllib.request.Request(url, data=data, method=method)  # noqa: S310 (scheme checked above)
    for name, value in (headers or {}).items():
        request.add_header(name, value)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            status, raw = response.status, response.read()
    except urllib.error.HTTPError as error:
        status, raw = error.code, error.read()
    except (urllib.error.URLError, TimeoutError, ConnectionError, http.client.HTTPException) as error:
        raise ServiceUnavailable(f"{method} {url}: {error}") from error
    if status >= 500:
        raise ServiceUnavailable(f"{method} {url}: HTTP {status}")
    return status, raw


def json_request(method: str, url: str, *, body: Any = None, headers: Mapping[str, str] | None = None,
                 timeout: float = 10.0) -> Answer:
    """Send `body` as JSON (if any) and return the service's answer with its JSON decoded
    (None when it sent no JSON). Raises ServiceUnavailable on a timeout, a network error or a 5xx."""
    data = None if body is None else json.dumps(body, ensure_ascii=False).encode()
    all_headers = {"Accept": "application/json", **({"Content-Type": "application/json"} if data else {})}
    status, raw = http_request(method, url, data=data, headers={**all_headers, **(headers or {})}, timeout=timeout)
    try:
        decoded = json.loads(raw) if raw else None
    except ValueError:
        decoded = None
    return Answer(status=status, data=decoded)
