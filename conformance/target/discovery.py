"""Where the compute API v2.1 lives on a target and which microversions it serves.

A target URL comes in one of three forms: the service root (``http://h:8774/``),
the v2.1 endpoint (``http://h:8774/v2.1``), or the v2.1 endpoint of older
catalogs that carry the project (``http://h:8774/v2.1/<project id>``).
:func:`split_target_url` tells them apart without a request; :func:`discover`
then reads the version documents.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from conformance.errors import ConformanceError, TargetError
from conformance.model import Microversion
from conformance.target.exchange import Exchange

__all__ = ["Discovery", "split_target_url"]

_PROJECT_TEMPLATE = re.compile(r"^(\{project_id\}|\{tenant_id\}|[$%]\((project_id|tenant_id)\)s)$")


@dataclass(frozen=True)
class Discovery:
    """What the target's version document says."""

    root: str
    """The service root, with a trailing slash: ``http://h:8774/``."""
    endpoint: str
    """The v2.1 endpoint as given, no trailing slash: ``http://h:8774/v2.1`` or ``.../v2.1/<project id>``."""
    min_version: Microversion
    """The lowest microversion served (``min_version`` in the document)."""
    max_version: Microversion
    """The highest microversion served (``version`` in the document)."""
    exchange: Exchange
    """The GET of the v2.1 version document."""

    @property
    def project_id(self) -> str | None:
        """The project id in the endpoint, for older catalogs; None otherwise."""
        tail = self.endpoint[len(self.root):].strip("/").split("/")
        return tail[1] if len(tail) > 1 else None

    def supports(self, version: Microversion) -> bool:
        """True when ``version`` is within the advertised range."""
        return self.min_version <= version <= self.max_version


def split_target_url(url: str, project_id: str | None = None) -> tuple[str, str | None]:
    """The service root and the v2.1 endpoint of a target URL (None when only the root was given).

    >>> split_target_url("http://h:8774/v2.1/")
    ('http://h:8774/', 'http://h:8774/v2.1')
    >>> split_target_url("http://h:8774/compute/v2.1/3f2a")
    ('http://h:8774/compute/', 'http://h:8774/compute/v2.1/3f2a')
    >>> split_target_url("http://h:8774")
    ('http://h:8774/', None)

    A catalog template such as ``{project_id}`` or ``$(project_id)s`` is filled in
    with ``project_id``. Raises :class:`TargetError` for a URL that is not HTTP(S),
    or that goes on past the project id.
    """
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise TargetError(f"target {url!r} is not an http(s) URL such as http://127.0.0.1:8774/v2.1")
    segments = [s for s in parts.path.split("/") if s]
    if "v2.1" not in segments:
        if "v2" in segments[-2:]:
            raise TargetError(f"target {url!r} is the legacy v2 API; give the v2.1 endpoint or the service root")
        root_path = "/".join(segments)
        return urlunsplit((parts.scheme, parts.netloc, f"/{root_path}/" if root_path else "/", "", "")), None
    at = len(segments) - 1 - segments[::-1].index("v2.1")
    tail = segments[at + 1:]
    if len(tail) > 1:
        raise TargetError(f"target {url!r} goes on past the v2.1 endpoint ({'/'.join(tail)!r}); "
                          "give the endpoint as the service catalog lists it")
    if tail and _PROJECT_TEMPLATE.match(tail[0]):
        if project_id is None:
            raise TargetError(f"target {url!r} holds a project id template but no project id is known")
        tail = [project_id]
    root_path = "/".join(segments[:at])
    root = urlunsplit((parts.scheme, parts.netloc, f"/{root_path}/" if root_path else "/", "", ""))
    return root, root + "/".join(["v2.1", *tail])


def endpoint_from_versions(root: str, document: Any) -> str | None:
    """The v2.1 endpoint that a root version document (``{"versions": [...]}``) links to, or None."""
    versions = document.get("versions") if isinstance(document, dict) else None
    if isinstance(versions, dict):  # some proxies answer {"versions": {"values": [...]}}
        versions = versions.get("values")
    if not isinstance(versions, list):
        return None
    for version in versions:
        if not isinstance(version, dict) or version.get("id") != "v2.1":
            continue
        for link in version.get("links") or ():
            if isinstance(link, dict) and link.get("rel") == "self" and isinstance(link.get("href"), str):
                href = link["href"].rstrip("/")
                # Behind a proxy Nova may link its own host name: keep the URL the user gave.
                return href if href.startswith(root) else root + "v2.1"
        return root + "v2.1"
    return None


def version_range(document: Any) -> tuple[Microversion, Microversion] | None:
    """(min_version, version) of a v2.1 document (``{"version": {...}}``), or None when it is not one."""
    version = document.get("version") if isinstance(document, dict) else None
    if not isinstance(version, dict) or version.get("id") != "v2.1":
        return None
    low, high = version.get("min_version"), version.get("version")
    if not isinstance(low, str) or not isinstance(high, str):
        return None
    try:
        return Microversion.parse(low), Microversion.parse(high)
    except ConformanceError:
        return None


def _json(exchange: Exchange, what: str, ok: tuple[int, ...] = (200,)) -> Any:
    where = f"GET {exchange.request.url}"
    status = exchange.response.status
    if status == 401:
        role = exchange.request.role or "no"
        raise TargetError(f"{where} answered 401 Unauthorized to the {role} token: "
                          "the token is invalid or expired, or belongs to another cloud")
    if status not in ok:
        raise TargetError(f"{where} answered {status} instead of the {what}: {_excerpt(exchange)}")
    try:
        return exchange.response.json()
    except ValueError:
        kind = exchange.response.header("Content-Type") or "no Content-Type"
        raise TargetError(f"{where} answered a body that is not JSON ({kind}) instead of the {what}: "
                          f"{_excerpt(exchange)}") from None


def _excerpt(exchange: Exchange, limit: int = 200) -> str:
    text = " ".join(exchange.response.text().split())
    return repr(text[:limit] + ("..." if len(text) > limit else "")) if text else "(empty body)"


def discover(url: str, get: Callable[[str], Exchange], project_id: str | None = None) -> Discovery:
    """Read the version documents of the target at ``url``; ``get`` sends one GET of an absolute URL."""
    root, endpoint = split_target_url(url, project_id)
    if endpoint is None:
        document = _json(get(root), "version list", ok=(200, 300))  # 300 Multiple Choices from some proxies
        endpoint = endpoint_from_versions(root, document)
        if endpoint is None:
            ids = [v.get("id") for v in document.get("versions", [])
                   if isinstance(v, dict)] if isinstance(document, dict) and isinstance(
                document.get("versions"), list) else []
            raise TargetError(f"GET {root} lists no v2.1 version (found {ids or 'no versions'}): "
                              "is this the compute service root?")
    exchange = get(endpoint + "/")
    document = _json(exchange, "v2.1 version document")
    found = version_range(document)
    if found is None:
        raise TargetError(f"GET {exchange.request.url} is not a v2.1 version document with min_version and "
                          f"version: {_excerpt(exchange)}")
    return Discovery(root=root, endpoint=endpoint, min_version=found[0], max_version=found[1], exchange=exchange)
