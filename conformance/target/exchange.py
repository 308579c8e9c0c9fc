"""One HTTP request and its response, as sent and received, and how to reproduce it.

An :class:`Exchange` is what every check looks at and what every finding
shows: the request (method, URL, headers, body) and the response (status,
headers, body), plus the curl command that sends the same request again.
Secrets never leave this module unmasked: :func:`redact_headers` replaces
token values, and :meth:`Exchange.curl` uses a shell variable instead.
"""

from __future__ import annotations

import json
import shlex
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

__all__ = ["SECRET_HEADERS", "Exchange", "Request", "Response", "redact_headers"]

SECRET_HEADERS = frozenset({"x-auth-token", "x-subject-token", "x-service-token", "authorization", "cookie",
                            "set-cookie"})
"""Header names whose values are secrets (compared lower-case)."""

MASK = "***"
_TOKEN_HEADERS = frozenset({"x-auth-token"})


def redact_headers(headers: Iterable[tuple[str, str]]) -> tuple[tuple[str, str], ...]:
    """The headers with every secret value replaced by ``***``.

    >>> redact_headers([("X-Auth-Token", "gAAAA-secret"), ("Accept", "application/json")])
    (('X-Auth-Token', '***'), ('Accept', 'application/json'))
    """
    return tuple((name, MASK if name.lower() in SECRET_HEADERS else value) for name, value in headers)


def _header(headers: tuple[tuple[str, str], ...], name: str) -> str | None:
    # A header sent more than once (Nova sends Vary twice) reads as one comma-joined value (RFC 9110 5.3).
    values = _header_values(headers, name)
    return ", ".join(values) if values else None


def _header_values(headers: tuple[tuple[str, str], ...], name: str) -> tuple[str, ...]:
    wanted = name.lower()
    return tuple(value for key, value in headers if key.lower() == wanted)


@dataclass(frozen=True)
class Request:
    """An HTTP request as sent (headers already redacted)."""

    method: str
    """The HTTP method, upper case."""
    url: str
    """The absolute URL, query string included."""
    headers: tuple[tuple[str, str], ...] = ()
    """The headers sent, in order, secrets masked."""
    body: bytes | None = None
    """The body sent, or None."""
    role: str | None = None
    """Whose credentials were used: ``admin``, ``member``, ``other``, or None for no token."""

    def header(self, name: str) -> str | None:
        """A header's value (case-insensitive; repeated headers joined with ", "), or None."""
        return _header(self.headers, name)

    def header_values(self, name: str) -> tuple[str, ...]:
        """Every value of a header, one per occurrence, in order (case-insensitive)."""
        return _header_values(self.headers, name)

    def text(self) -> str:
        """The body as text ('' when there is none)."""
        return self.body.decode("utf-8", "replace") if self.body else ""


@dataclass(frozen=True)
class Response:
    """An HTTP response as received."""

    status: int
    """The status code."""
    headers: tuple[tuple[str, str], ...] = ()
    """The headers received, in order (secrets masked)."""
    body: bytes = b""
    """The raw body."""
    elapsed: float = 0.0
    """Seconds from sending to the last byte."""

    def header(self, name: str) -> str | None:
        """A header's value (case-insensitive; repeated headers joined with ", "), or None."""
        return _header(self.headers, name)

    def header_values(self, name: str) -> tuple[str, ...]:
        """Every value of a header, one per occurrence, in order (case-insensitive)."""
        return _header_values(self.headers, name)

    def text(self) -> str:
        """The body as text."""
        return self.body.decode("utf-8", "replace")

    def json(self) -> Any:
        """The body parsed as JSON; raises ValueError when it is not JSON (or nested too deeply to parse)."""
        if not self.body:
            return None
        try:
            return json.loads(self.body.decode("utf-8"))
        except RecursionError:
            raise ValueError("the JSON body is nested too deeply to read") from None

    def json_or_none(self) -> Any:
        """The body parsed as JSON, or None when it is empty or not JSON."""
        try:
            return self.json()
        except ValueError:
            return None


@dataclass(frozen=True)
class Exchange:
    """A request and the response it got."""

    request: Request
    """What was sent."""
    response: Response
    """What came back."""

    def curl(self) -> str:
        """A curl command that sends the same request; the token comes from ``$OS_TOKEN``.

        >>> Exchange(Request("GET", "http://127.0.0.1:8774/v2.1/", (("X-Auth-Token", "***"),)),
        ...          Response(200)).curl()
        'curl -i -X GET -H "X-Auth-Token: $OS_TOKEN" http://127.0.0.1:8774/v2.1/'
        """
        parts = ["curl", "-i", "-X", self.request.method]
        for name, value in self.request.headers:
            if name.lower() in ("content-length", "accept-encoding", "connection", "user-agent"):
                continue
            if name.lower() in _TOKEN_HEADERS:
                parts.append(f'-H "{name}: $OS_TOKEN"')
            elif name.lower() in SECRET_HEADERS:
                continue  # a cookie or another credential: not part of the request to reproduce
            else:
                parts.append("-H " + shlex.quote(f"{name}: {value}"))
        if self.request.body:
            parts.append("--data " + shlex.quote(self.request.text()))
        parts.append(shlex.quote(self.request.url))
        return " ".join(parts)

    def to_dict(self, body_limit: int = 65536) -> dict[str, Any]:
        """A JSON-ready form for results files (bodies cut at ``body_limit`` bytes)."""

        def body(raw: bytes | None) -> dict[str, Any] | None:
            if raw is None:
                return None
            text = raw[:body_limit].decode("utf-8", "replace")
            return {"text": text, "size": len(raw), "truncated": len(raw) > body_limit}

        return {
            "request": {"method": self.request.method, "url": self.request.url, "role": self.request.role,
                        "headers": [list(pair) for pair in self.request.headers], "body": body(self.request.body)},
            "response": {"status": self.response.status, "elapsed": round(self.response.elapsed, 4),
                         "headers": [list(pair) for pair in self.response.headers], "body": body(self.response.body)},
            "curl": self.curl(),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Exchange:
        """The inverse of :meth:`to_dict` (bodies as far as they were kept)."""

        def raw(part: Mapping[str, Any] | None) -> bytes | None:
            return None if part is None else str(part["text"]).encode("utf-8")

        request, response = data["request"], data["response"]
        return cls(
            Request(request["method"], request["url"], tuple((k, v) for k, v in request["headers"]),
                    raw(request.get("body")), request.get("role")),
            Response(response["status"], tuple((k, v) for k, v in response["headers"]),
                     raw(response.get("body")) or b"", response.get("elapsed", 0.0)),
        )
