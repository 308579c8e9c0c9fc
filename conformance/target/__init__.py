"""The deployment under test: discovery, tokens by role, and every request recorded as an :class:`Exchange`.

Any service the contract describes: ``Target.connect(url, tokens, api=ServiceApi.of(apiref))`` speaks its
microversion header and reads its version document (placement's root, nova's ``/v2.1/``); compute's by
default.

Connect with tokens (``--target`` plus ``--admin-token``/``--member-token``/``--other-token``)::

    from conformance.target import Target
    with Target.connect("http://127.0.0.1:8774/v2.1/", {"admin": a, "member": m, "other": o},
                        timeout=30.0) as target:
        ex = target.request("GET", f"/servers/{server}/migrations", role="admin", microversion="2.80")
        ex.response.status, ex.response.json(), ex.curl()

or with clouds.yaml / OS_* variables through keystoneauth1 (the compute endpoint from the
catalog, service type compute, interface public unless the cloud says otherwise)::

    Target.connect(os_cloud="mycloud", member_cloud="mycloud-member", other_cloud="other-project")
    Target.connect()   # OS_CLOUD, or the OS_AUTH_URL... "envvars" cloud

``Target.connect(url=None, tokens=None, *, os_cloud=None, member_cloud=None, other_cloud=None,
credentials=None, timeout=30.0, interface=None, region_name=None, verify=True, check_tokens=True)``
  ``url``: the service root (``http://h:8774/``), the v2.1 endpoint (``.../v2.1``), or the endpoint of
  older catalogs (``.../v2.1/<project id>``, or with a ``{project_id}`` template filled from the cloud);
  a trailing slash is ignored. Sends GET root (only when given the root), GET ``<endpoint>/`` (the
  v2.1 version document), then with ``check_tokens`` one GET /limits per role.

``target.discovery`` -> :class:`Discovery` (frozen): ``root`` (``http://h:8774/``, trailing slash),
  ``endpoint`` (``http://h:8774/v2.1`` or ``.../v2.1/<project id>``, no trailing slash),
  ``min_version``/``max_version`` (:class:`~conformance.model.Microversion`), ``exchange`` (the GET of
  the version document), ``project_id`` (None unless in the endpoint), ``supports(version)``.
``target.roles`` -> frozenset of the roles with credentials, e.g. ``{"admin", "member", "other"}``.
``target.endpoint``, ``target.timeout``, ``target.requests_sent`` (all requests, discovery included),
``target.url(path)``, ``target.add_listener(fn)`` (called with every Exchange), ``target.close()``
(and ``with``), ``target.check_tokens()``.

``target.request(method, path, *, role="admin", microversion=None, json=None, body=None, params=None,
headers=None, legacy_header=False, token=None, authenticated=True, timeout=None) -> Exchange``
  * ``path`` relative to the endpoint (``"/servers/{id}/migrations"``) or absolute (a ``next`` link).
  * ``microversion``: ``"2.80"``, ``Microversion(2, 80)``, ``"latest"``, any string (sent as it is, e.g.
    a malformed one), or None (no version header). Sends only ``OpenStack-API-Version: compute X``; with
    ``legacy_header=True`` only ``X-OpenStack-Nova-API-Version: X``. See :func:`version_headers`.
  * ``role`` picks the token; ``token="..."`` overrides it (an invalid token on purpose);
    ``authenticated=False`` or ``role=None`` sends no token (``Exchange.request.role`` is then None).
  * ``json`` is serialised (Content-Type: application/json); ``body`` bytes are sent as they are.
  * ``headers`` are applied last. Redirects are not followed. Any status is returned, never raised.
  * Raises :class:`~conformance.errors.TargetTimeout` (a :class:`~conformance.errors.TargetError`)
    naming the request when no answer comes in time, TargetError when the target is unreachable, and
    TargetError for a role without credentials. ``target.get/post/delete(path, **kw)`` are shortcuts.

Exchanges hold header tuples with tokens masked (``redact_headers``); reprs never show tokens. A header
sent twice (Nova sends ``Vary`` twice) is two tuples: ``response.header("Vary")`` joins them with ", ",
``response.header_values("Vary")`` gives each. A Target holds no global state: every pytest-xdist worker
connects its own; one Target may be shared by threads (pooled session, locked counter).

Clouds: ``os_cloud`` (or ``OS_CLOUD``, or ``OS_AUTH_URL``... as the ``envvars`` cloud when no admin token is
given) gives the admin role; ``member_cloud``/``other_cloud`` give those roles; ``tokens`` fill the roles no
cloud covers, so ``Target.connect(url_or_None, {"member": m, "other": o}, os_cloud="c")`` works. Each
cloud gets its token at connect (bounded by ``timeout``; a clear TargetError naming the cloud when keystone
refuses or hangs); keystoneauth1 renews tokens as they expire.
"""

from __future__ import annotations

from conformance.target.client import Target, version_headers
from conformance.target.credentials import Credentials
from conformance.target.discovery import Discovery, split_target_url
from conformance.target.exchange import Exchange, Request, Response, redact_headers
from conformance.target.service import ServiceApi

__all__ = [
    "Credentials",
    "Discovery",
    "Exchange",
    "Request",
    "Response",
    "ServiceApi",
    "Target",
    "redact_headers",
    "split_target_url",
    "version_headers",
]
