"""Where a service's API lives on a target and which microversions it serves.

A target URL comes in one of three forms: the service root (``http://h:8774/``),
the version's endpoint (``http://h:8774/v2.1``), or the endpoint of older
catalogs that carry the project (``http://h:8774/v2.1/<project id>``).
:func:`split_target_url` tells them apart without a request; :func:`discover`
then reads the version documents. Which version, and which keys hold its range,
is the service's :class:`~conformance.target.service.ServiceApi` (compute's
``v2.1`` with ``min_version`` and ``version``; placement's ``v1.0``, whose root is
its endpoint, with ``min_version`` and ``max_version``).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin, urlsplit, urlunsplit

from conformance.errors import ConformanceError, TargetError
from conformance.model import Microversion
from conformance.target.exchange import Exchange
from conformance.target.service import ServiceApi

__all__ = ["Discovery", "split_target_url"]

COMPUTE = ServiceApi.named("compute")
"""The service a target URL names when none is given (``--service`` defaults to compute)."""

_PROJECT_TEMPLATE = re.compile(r"^(\{project_id\}|\{tenant_id\}|[$%]\((project_id|tenant_id)\)s)$")


@dataclass(frozen=True)
class Discovery:
    """What the target's version document says."""

    root: str
    """The service root, with a trailing slash: ``http://h:8774/``."""
    endpoint: str
    """The version's endpoint, no trailing slash: ``http://h:8774/v2.1`` or ``.../v2.1/<project id>``; the root
    itself (``http://h:8778``) for a service whose root is its endpoint (placement)."""
    min_version: Microversion
    """The lowest microversion served (``min_version`` in the document)."""
    max_version: Microversion
    """The highest microversion served (``version`` in the document)."""
    exchange: Exchange
    """The GET of the version document the range was read from."""

    @property
    def project_id(self) -> str | None:
        """The project id in the endpoint, for older catalogs; None otherwise."""
        tail = self.endpoint[len(self.root):].strip("/").split("/")
        return tail[1] if len(tail) > 1 else None

    def supports(self, version: Microversion) -> bool:
        """True when ``version`` is within the advertised range."""
        return self.min_version <= version <= self.max_version


def split_target_url(url: str, project_id: str | None = None, version_id: str = COMPUTE.version_id,
                     ) -> tuple[str, str | None]:
    """The service root and the version's endpoint of a target URL (None when only the root was given).

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
    if version_id not in segments:
        legacy = version_id.split(".")[0]
        if legacy != version_id and legacy in segments[-2:]:
            raise TargetError(f"target {url!r} is the legacy {legacy} API; give the {version_id} endpoint or the "
                              "service root")
        root_path = "/".join(segments)
        return urlunsplit((parts.scheme, parts.netloc, f"/{root_path}/" if root_path else "/", "", "")), None
    at = len(segments) - 1 - segments[::-1].index(version_id)
    tail = segments[at + 1:]
    if len(tail) > 1:
        raise TargetError(f"target {url!r} goes on past the {version_id} endpoint ({'/'.join(tail)!r}); "
                          "give the endpoint as the service catalog lists it")
    if tail and _PROJECT_TEMPLATE.match(tail[0]):
        if project_id is None:
            raise TargetError(f"target {url!r} holds a project id template but no project id is known")
        tail = [project_id]
    root_path = "/".join(segments[:at])
    root = urlunsplit((parts.scheme, parts.netloc, f"/{root_path}/" if root_path else "/", "", ""))
    return root, root + "/".join([version_id, *tail])


def version_entry(document: Any, version_id: str = COMPUTE.version_id) -> dict[str, Any] | None:
    """The entry of a root version document (``{"versions": [...]}``) whose id is ``version_id``, or None."""
    versions = document.get("versions") if isinstance(document, dict) else None
    if isinstance(versions, dict):  # some proxies answer {"versions": {"values": [...]}}
        versions = versions.get("values")
    if not isinstance(versions, list):
        return None
    return next((v for v in versions if isinstance(v, dict) and v.get("id") == version_id), None)


def endpoint_from_versions(root: str, document: Any, version_id: str = COMPUTE.version_id) -> str | None:
    """The endpoint the ``version_id`` entry of a root version document links to (its ``self`` link, relative
    to the root: placement's ``""`` is the root itself), or None when the document lists no such version."""
    version = version_entry(document, version_id)
    if version is None:
        return None
    for link in version.get("links") or ():
        if isinstance(link, dict) and link.get("rel") == "self" and isinstance(link.get("href"), str):
            href = urljoin(root, link["href"]).rstrip("/")
            # Behind a proxy a service may link its own host name: keep the URL the user gave.
            return href if (href + "/").startswith(root) else root + version_id
    return root + version_id


def version_range(document: Any, api: ServiceApi = COMPUTE) -> tuple[Microversion, Microversion] | None:
    """(minimum, maximum) of a version document (``{"version": {...}}``, or one entry of a root document) of
    ``api``'s version, read from its keys; None when it is not one."""
    version = document.get("version") if isinstance(document, dict) else None
    if version is None and isinstance(document, dict) and "id" in document:
        version = document
    if not isinstance(version, dict) or version.get("id") != api.version_id:
        return None
    low, high = version.get(api.minimum_key), version.get(api.maximum_key)
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


def discover(url: str, get: Callable[[str], Exchange], project_id: str | None = None,
             api: ServiceApi = COMPUTE) -> Discovery:
    """Read the version documents of ``api``'s service at ``url``; ``get`` sends one GET of an absolute URL.

    Given the root, its version list names the version's endpoint; where that is the root itself (placement)
    the range is read from the list's entry, else from the endpoint's own document (nova's ``/v2.1/``).
    """
    wanted = api.version_id
    root, endpoint = split_target_url(url, project_id, wanted)
    if endpoint is None:
        listing = get(root)
        document = _json(listing, "version list", ok=(200, 300))  # 300 Multiple Choices from some proxies
        endpoint = endpoint_from_versions(root, document, wanted)
        if endpoint is None:
            ids = [v.get("id") for v in document.get("versions", [])
                   if isinstance(v, dict)] if isinstance(document, dict) and isinstance(
                document.get("versions"), list) else []
            raise TargetError(f"GET {root} lists no {wanted} version (found {ids or 'no versions'}): "
                              f"is this the {api.service} service root?")
        if endpoint + "/" == root:
            found = version_range(version_entry(document, wanted), api)
            if found is None:
                raise TargetError(f"GET {root} lists {wanted} without {api.minimum_key} and {api.maximum_key}: "
                                  f"{_excerpt(listing)}")
            return Discovery(root=root, endpoint=endpoint, min_version=found[0], max_version=found[1],
                             exchange=listing)
    exchange = get(endpoint + "/")
    document = _json(exchange, f"{wanted} version document")
    found = version_range(document, api)
    if found is None:
        raise TargetError(f"GET {exchange.request.url} is not a {wanted} version document with {api.minimum_key} "
                          f"and {api.maximum_key}: {_excerpt(exchange)}")
    return Discovery(root=root, endpoint=endpoint, min_version=found[0], max_version=found[1], exchange=exchange)
