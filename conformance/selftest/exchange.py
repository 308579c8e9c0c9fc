"""What a fault sees: the proxied request and the upstream response, both editable.

A :class:`Request` can be changed before it is forwarded; a :class:`Response`
after. Bodies are kept as bytes so an untouched exchange passes through byte for
byte; :meth:`Response.json` parses a fresh copy and :meth:`Response.set_json`
writes one back.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urlencode

from requests.structures import CaseInsensitiveDict

__all__ = [
    "LEGACY_HEADER",
    "VERSION_HEADER",
    "Exchange",
    "Request",
    "Response",
    "Version",
    "parse_version",
]

VERSION_HEADER = "OpenStack-API-Version"
LEGACY_HEADER = "X-OpenStack-Nova-API-Version"

Version = tuple[int, int]
"""A microversion as (major, minor): 2.59 is (2, 59), so 2.100 > 2.99."""

_VERSION = re.compile(r"^\s*(\d+)\.(\d+)\s*$")
_TOKEN = re.compile(r"^([a-z][a-z-]*)\s+", re.I)
"""The service token before the version: ``compute`` in ``compute 2.59``, ``placement`` in ``placement 1.30``."""


def _bare(text: str) -> str:
    return _TOKEN.sub("", text.strip(), count=1).strip()


def _token(value: str | None) -> str:
    """The service token of a version header's value; compute's when it has none."""
    match = _TOKEN.match(value or "")
    return match.group(1) if match else "compute"


def parse_version(text: str | None) -> Version | None:
    """``"2.59"``, ``"compute 2.59"`` or ``"placement 1.30"`` -> (2, 59), (1, 30); None for anything else (absent,
    latest, malformed)."""
    if not text:
        return None
    match = _VERSION.match(_bare(text))
    return (int(match.group(1)), int(match.group(2))) if match else None


@dataclass
class Request:
    """The request the client sent, as it will be forwarded (faults may change it)."""

    method: str
    path: str
    """The path without the query: ``/v2.1/servers/{id}/migrations``."""
    query: list[tuple[str, str]]
    """The query parameters in order, repeated names kept."""
    headers: CaseInsensitiveDict[str]
    body: bytes = b""
    raw_query: str = ""
    """The query string as the client sent it (forwarded as is while :attr:`query` is unchanged)."""

    @property
    def query_string(self) -> str:
        if parse_qsl(self.raw_query, keep_blank_values=True) == self.query:
            return self.raw_query
        return urlencode(self.query)

    @property
    def target(self) -> str:
        """Path and query, as in the request line."""
        query = self.query_string
        return f"{self.path}?{query}" if query else self.path

    @classmethod
    def from_target(cls, method: str, target: str, headers: CaseInsensitiveDict[str], body: bytes) -> Request:
        path, _, query = target.partition("?")
        return cls(method, path, parse_qsl(query, keep_blank_values=True), headers, body, query)

    def json(self) -> Any:
        """The parsed JSON body, or None when there is none or it is not JSON."""
        try:
            return json.loads(self.body) if self.body else None
        except ValueError:
            return None

    def action(self) -> str | None:
        """The server action this body asks for (``force_complete``), if it is one."""
        body = self.json()
        return next(iter(body)) if isinstance(body, dict) and len(body) == 1 else None

    @property
    def version_text(self) -> str | None:
        """The requested microversion as sent (``2.59``, ``latest``, or whatever was there), or None."""
        if VERSION_HEADER in self.headers:
            return _bare(self.headers[VERSION_HEADER])
        return self.headers.get(LEGACY_HEADER)

    @property
    def version(self) -> Version | None:
        """The requested microversion: 2.1 when absent, None for ``latest`` or a malformed one."""
        text = self.version_text
        return (2, 1) if text is None else parse_version(text)

    def copy(self) -> Request:
        return Request(self.method, self.path, list(self.query), CaseInsensitiveDict(self.headers), self.body,
                       self.raw_query)

    def set_version(self, version: str | None) -> None:
        """Ask for another microversion (both headers, the service token kept), or none at all."""
        token = _token(self.headers.get(VERSION_HEADER))
        for name in (VERSION_HEADER, LEGACY_HEADER):
            self.headers.pop(name, None)
        if version is not None:
            self.headers[VERSION_HEADER] = f"{token} {version}"
            self.headers[LEGACY_HEADER] = version


@dataclass
class Response:
    """The upstream's response as it will be sent back (faults may change it)."""

    status: int
    headers: CaseInsensitiveDict[str]
    content: bytes = b""

    def json(self) -> Any:
        """A fresh parsed copy of the JSON body; None when it is empty or not JSON."""
        try:
            return json.loads(self.content) if self.content else None
        except ValueError:
            return None

    def set_json(self, body: Any) -> None:
        self.content = json.dumps(body).encode()
        self.headers["Content-Type"] = "application/json"

    def set_text(self, text: str) -> None:
        self.content = text.encode()
        self.headers["Content-Type"] = "text/plain; charset=UTF-8"

    @property
    def version(self) -> Version | None:
        """The microversion the upstream says it served (its echo header)."""
        return parse_version(self.headers.get(VERSION_HEADER) or self.headers.get(LEGACY_HEADER))

    def set_version_echo(self, version: str) -> None:
        self.headers[VERSION_HEADER] = f"{_token(self.headers.get(VERSION_HEADER))} {version}"
        self.headers[LEGACY_HEADER] = version

    def copy(self) -> Response:
        return Response(self.status, CaseInsensitiveDict(self.headers), self.content)


@dataclass
class Exchange:
    """One request through the proxy, as a fault's hooks see it.

    The request hook runs before forwarding (no response yet) and may change
    :attr:`request`; the response hook may change or replace :attr:`response`.
    """

    request: Request
    """The request as it is (or was) forwarded."""
    original: Request
    """The request as the client sent it, before any fault changed it."""
    forward: Callable[[Request], Response]
    """Send another request to the upstream (to answer in the upstream's place)."""
    state: dict[str, Any] = field(default_factory=dict)
    """The fault's own memory across exchanges (one per proxy; guard it with :attr:`lock`)."""
    lock: threading.Lock = field(default_factory=threading.Lock)
    """Held while reading or changing :attr:`state` (exchanges run on several threads)."""
    upstream: Response | None = None

    @property
    def response(self) -> Response:
        if self.upstream is None:
            raise RuntimeError("no response yet: this is the request hook")
        return self.upstream

    @response.setter
    def response(self, value: Response) -> None:
        self.upstream = value

    @property
    def version(self) -> Version:
        """The microversion served: the echo header, else the one asked for, else 2.1."""
        echoed = self.upstream.version if self.upstream is not None else None
        return echoed or self.original.version or (2, 1)
