"""``FaultProxy``: a reverse proxy on 127.0.0.1 that injects one fault between a client and a target.

    with FaultProxy("http://127.0.0.1:8774/v2.1/", fault("no-vary")) as proxy:
        requests.get(proxy.url, ...)         # http://127.0.0.1:PORT/v2.1/, answered through the fault

Method, path, query, headers and body go to the upstream unchanged (unless the
fault changes them); the response comes back through the fault, then every
absolute URL of the upstream (in the body and in headers such as Location) is
rewritten to the proxy's, so version documents and pagination links lead back
through the proxy. With no fault, it is transparent: bodies without upstream
URLs are passed byte for byte.
"""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any
from urllib.parse import urlsplit

import requests
from requests.structures import CaseInsensitiveDict

from conformance.selftest.exchange import Exchange, Request, Response
from conformance.selftest.fault import Fault

__all__ = ["FaultProxy"]

# Hop-by-hop headers (RFC 9110 7.6.1) and the ones the proxy recomputes.
_HOP_BY_HOP = frozenset({
    "connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "proxy-connection", "te", "trailer",
    "transfer-encoding", "upgrade", "content-length", "content-encoding",
})


class FaultProxy:
    """A threaded HTTP reverse proxy injecting ``fault`` (None: a transparent proxy).

    ``hits`` counts the exchanges the fault changed; ``requests`` all exchanges;
    ``errors`` the exceptions a fault raised (answered 502, never hidden).
    Raises ``ValueError`` for an upstream that is not an http(s) URL.
    """

    def __init__(self, upstream: str, fault: Fault | None = None, *, port: int = 0, timeout: float = 120.0) -> None:
        parts = urlsplit(upstream)
        if parts.scheme not in {"http", "https"} or not parts.netloc:
            raise ValueError(f"upstream must be an http(s) URL such as http://127.0.0.1:8774/v2.1/, got {upstream!r}")
        self.upstream = upstream
        self.fault = fault
        self.timeout = timeout
        self.hits = 0
        self.requests = 0
        self.errors: list[str] = []
        self._origin = f"{parts.scheme}://{parts.netloc}"
        self._netloc = parts.netloc
        self._path = parts.path or "/"
        self._port = port
        self._state: dict[str, Any] = {}
        self._state_lock = threading.Lock()
        self._count_lock = threading.Lock()
        self._sessions = threading.local()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    # ------------------------------------------------------------------ lifecycle
    @property
    def origin(self) -> str:
        if self._server is None:
            raise RuntimeError("the proxy is not started: use 'with FaultProxy(...) as proxy' or start()")
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    @property
    def url(self) -> str:
        """The upstream URL with the proxy's origin: http://127.0.0.1:PORT/v2.1/."""
        return self.origin + self._path

    def start(self) -> FaultProxy:
        self._server = _Server(("127.0.0.1", self._port), _Handler, self)
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.05,), name="fault-proxy",
                                        daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=10)
        self._server = self._thread = None

    def __enter__(self) -> FaultProxy:
        return self.start()

    def __exit__(self, kind: type[BaseException] | None, value: BaseException | None, tb: TracebackType | None) -> None:
        self.stop()

    # ------------------------------------------------------------------ exchanges
    def handle(self, method: str, target: str, headers: CaseInsensitiveDict[str], body: bytes) -> Response:
        """Forward one request through the fault; the response to send back."""
        original = Request.from_target(method, target, headers, body)
        original.headers["Host"] = self._netloc
        exchange = Exchange(original.copy(), original, self._forward, self._state, self._state_lock)
        changed = False
        try:
            if self.fault is not None and self.fault.on_request is not None:
                changed = self.fault.on_request(exchange)
            exchange.response = self._forward(exchange.request)
            if self.fault is not None and self.fault.on_response is not None:
                changed = self.fault.on_response(exchange) or changed
        except Exception as exc:  # a broken fault must show, not pass for a detection
            message = f"fault {self.fault.id if self.fault else '-'} failed on {method} {target}: {exc!r}"
            with self._count_lock:
                self.errors.append(message)
            exchange.response = _proxy_error(message)
        with self._count_lock:
            self.requests += 1
            self.hits += bool(changed)
        return self._rewrite_urls(exchange.response)

    def _forward(self, request: Request) -> Response:
        session = getattr(self._sessions, "session", None)
        if session is None:
            session = self._sessions.session = requests.Session()
            session.headers.clear()  # send exactly the client's headers
            session.trust_env = False
        headers = {k: v for k, v in request.headers.items() if k.lower() not in _HOP_BY_HOP and k.lower() != "host"}
        headers["Accept-Encoding"] = "identity"  # bodies are rewritten, so keep them uncompressed
        try:
            answer = session.request(request.method, self._origin + request.target, headers=headers,
                                     data=request.body or None, allow_redirects=False, timeout=self.timeout)
        except requests.RequestException as exc:
            return _proxy_error(f"upstream {self._origin} failed: {exc}")
        kept = CaseInsensitiveDict({k: v for k, v in answer.headers.items() if k.lower() not in _HOP_BY_HOP})
        return Response(answer.status_code, kept, answer.content)

    def _rewrite_urls(self, response: Response) -> Response:
        mine = self.origin
        if self._origin.encode() in response.content:
            response.content = response.content.replace(self._origin.encode(), mine.encode())
        for name, value in list(response.headers.items()):
            if self._origin in value:
                response.headers[name] = value.replace(self._origin, mine)
        return response


def _proxy_error(message: str) -> Response:
    body = json.dumps({"proxyError": {"code": 502, "message": message}}).encode()
    return Response(502, CaseInsensitiveDict({"Content-Type": "application/json"}), body)


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, address: tuple[str, int], handler: type[BaseHTTPRequestHandler], proxy: FaultProxy) -> None:
        self.proxy = proxy
        super().__init__(address, handler)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def _relay(self) -> None:
        body = self._read_body()
        headers: CaseInsensitiveDict[str] = CaseInsensitiveDict()
        for name, value in self.headers.items():
            if name.lower() not in _HOP_BY_HOP:
                headers[name] = value
        response = self.server.proxy.handle(self.command, self.path, headers, body)
        self.send_response_only(response.status)
        for name, value in response.headers.items():
            self.send_header(name, value)
        bodiless = response.status in {204, 304} or response.status < 200
        if not bodiless:
            self.send_header("Content-Length", str(len(response.content)))
        self.end_headers()
        if not bodiless and self.command != "HEAD":
            self.wfile.write(response.content)

    def _read_body(self) -> bytes:
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            chunks: list[bytes] = []
            while True:
                size = int(self.rfile.readline().split(b";", 1)[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline() not in {b"\r\n", b"\n", b""}:
                        pass  # trailers
                    return b"".join(chunks)
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length > 0 else b""

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_OPTIONS = _relay

    def log_message(self, format: str, *args: Any) -> None:  # quiet: pytest's output is the report
        pass
