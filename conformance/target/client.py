"""The deployment under test: one HTTP client, the tokens of each role, and what discovery found."""

from __future__ import annotations

import http.cookiejar
import json as jsonlib
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from types import TracebackType
from typing import Any
from urllib.parse import urlsplit

import requests
from requests.adapters import HTTPAdapter

from conformance.errors import TargetError, TargetTimeout
from conformance.model import Microversion
from conformance.target.credentials import Credentials
from conformance.target.discovery import COMPUTE, Discovery, discover
from conformance.target.exchange import Exchange, Request, Response, redact_headers
from conformance.target.service import ServiceApi

__all__ = ["Target", "version_headers"]

DEFAULT_TIMEOUT = 30.0
USER_AGENT = "openstack-conformance/0.1"

VersionLike = Microversion | str | None


def version_headers(microversion: VersionLike, legacy: bool = False, api: ServiceApi = COMPUTE) -> dict[str, str]:
    """The microversion header(s) ``api``'s service expects: the standard one, or only the legacy ones.

    >>> version_headers("2.80")
    {'OpenStack-API-Version': 'compute 2.80'}
    >>> version_headers("latest", legacy=True)
    {'X-OpenStack-Nova-API-Version': 'latest'}
    >>> version_headers("1.30", api=ServiceApi.named("placement"))
    {'OpenStack-API-Version': 'placement 1.30'}
    >>> version_headers(None)
    {}

    Strings are sent as they are (``latest``, or a malformed version on purpose).
    """
    return api.headers(microversion, legacy)


class Target:
    """A service's endpoint, the credentials to call it with, and a pooled HTTP session.

    Make one with :meth:`connect`; close it (or use ``with``) when done. Each
    pytest-xdist worker makes its own: a Target holds no global state.
    """

    def __init__(self, discovery: Discovery, credentials: Credentials, session: requests.Session,
                 timeout: float = DEFAULT_TIMEOUT, requests_sent: int = 0, api: ServiceApi = COMPUTE) -> None:
        self.discovery = discovery
        self.api = api
        self.credentials = credentials
        self.timeout = timeout
        self._session = session
        self._lock = threading.Lock()
        self._sent = requests_sent
        self._listeners: list[Callable[[Exchange], None]] = []
        self._closed = False

    # -- construction ---------------------------------------------------------------------------------------

    @classmethod
    def connect(cls, url: str | None = None, tokens: Mapping[str, str | None] | None = None, *,
                os_cloud: str | None = None, member_cloud: str | None = None, other_cloud: str | None = None,
                credentials: Credentials | None = None, timeout: float = DEFAULT_TIMEOUT,
                interface: str | None = None, region_name: str | None = None,
                verify: bool | str = True, check_tokens: bool = True, api: ServiceApi = COMPUTE) -> Target:
        """Discover the target and return a client for it.

        >>> target = Target.connect("http://127.0.0.1:8774/v2.1/", {"admin": "...", "member": "..."})  # doctest: +SKIP
        >>> target = Target.connect(os_cloud="devstack-admin", member_cloud="devstack")  # doctest: +SKIP

        ``api`` is the service to speak to (:class:`ServiceApi`, from the contract: ``ServiceApi.of(apiref)``;
        compute's by default). ``url`` is the service root, the version's endpoint, or that endpoint with
        a project id; with ``os_cloud`` (or ``OS_CLOUD``/``OS_AUTH_URL`` in the
        environment and neither url nor tokens) it defaults to the catalog's endpoint of the service
        and the cloud's user is the admin role. ``check_tokens`` (the default) sends the service's probe
        (compute's GET /limits) once per role so that a bad token fails here.

        Raises :class:`TargetError` when the target is unreachable, its version
        document is not JSON or lists no v2.1, or it refuses a token (401).
        """
        project_id = None
        if credentials is None:
            from conformance.target import clouds  # keystoneauth1 only when a cloud is used

            cloud = os_cloud or clouds.default_cloud_name(tokens)
            chosen = {role: name for role, name in (("admin", cloud), ("member", member_cloud),
                                                     ("other", other_cloud)) if name is not None}
            connected = {role: clouds.connect_cloud(name, timeout) for role, name in chosen.items()}
            for role_cloud in connected.values():
                clouds.authenticate(role_cloud, timeout)
            if connected:
                main = connected.get("admin") or next(iter(connected.values()))
                if url is None:
                    url = clouds.compute_endpoint(main, interface=interface, region_name=region_name,
                                                  service_type=api.service)
                project_id = clouds.project_id(main)
                credentials = Credentials.combine(tokens or {}, {r: c.session for r, c in connected.items()})
                if verify is True:
                    verify = main.verify
            else:
                credentials = Credentials.from_tokens(tokens or {})
        if url is None:
            raise TargetError("no target: give its URL (--target) or a cloud (--os-cloud or OS_CLOUD)")
        session = _http_session(verify)
        target = cls(_PENDING, credentials, session, timeout, api=api)
        try:
            role = "admin" if "admin" in credentials.roles else None
            target.discovery = discover(url, lambda u: target._discovery_get(u, role), project_id, api)
            if check_tokens:
                target.check_tokens()
        except BaseException:
            target.close()
            raise
        return target

    def _discovery_get(self, url: str, role: str | None) -> Exchange:
        return self.request("GET", url, role=role, authenticated=role is not None)

    def check_tokens(self) -> dict[str, Exchange]:
        """The service's probe (compute's GET /limits) with each role's token; raises :class:`TargetError` on the
        first one refused. Checks nothing for a service that names no probe."""
        checked: dict[str, Exchange] = {}
        if self.api.probe is None:
            return checked
        for role in sorted(self.roles):
            exchange = self.request("GET", self.api.probe, role=role)
            if exchange.response.status == 401:
                raise TargetError(f"GET {exchange.request.url} answered 401 Unauthorized to the {role} token: "
                                  "the token is invalid or expired, or belongs to another cloud")
            checked[role] = exchange
        return checked

    # -- properties ---------------------------------------------------------------------------------------

    @property
    def roles(self) -> frozenset[str]:
        """The roles that have credentials (``admin``, ``member``, ``other``...)."""
        return self.credentials.roles

    @property
    def endpoint(self) -> str:
        """The version's endpoint, no trailing slash (see :attr:`Discovery.endpoint`)."""
        return self.discovery.endpoint

    @property
    def requests_sent(self) -> int:
        """How many requests this Target has sent, discovery included."""
        with self._lock:
            return self._sent

    @property
    def closed(self) -> bool:
        """True once :meth:`close` was called."""
        return self._closed

    def add_listener(self, listener: Callable[[Exchange], None]) -> None:
        """Call ``listener`` with every exchange from now on (to record them)."""
        self._listeners.append(listener)

    def url(self, path: str) -> str:
        """The absolute URL of ``path``: relative to the endpoint, or already absolute (a ``next`` link).

        >>> Target(_discovery("http://h/v2.1"), Credentials(), requests.Session()).url("/servers/x/migrations")
        'http://h/v2.1/servers/x/migrations'
        """
        if urlsplit(path).scheme in ("http", "https"):
            return path
        return self.discovery.endpoint + "/" + path.lstrip("/") if path else self.discovery.endpoint

    # -- requests -----------------------------------------------------------------------------------------

    def request(self, method: str, path: str, *, role: str | None = "admin", microversion: VersionLike = None,
                json: Any = None, body: bytes | None = None, params: Mapping[str, Any] | Iterable[
                    tuple[str, Any]] | None = None, headers: Mapping[str, str] | None = None,
                legacy_header: bool = False, token: str | None = None, authenticated: bool = True,
                timeout: float | None = None) -> Exchange:
        """Send one request and return the :class:`Exchange`, whatever the status.

        >>> target.request("GET", "/servers/%s/migrations" % server, microversion="2.80")  # doctest: +SKIP

        ``path`` is relative to the endpoint (or absolute). ``role`` picks the token
        (``token`` overrides it: an invalid token on purpose); ``authenticated=False``
        or ``role=None`` sends none. ``microversion`` sends the service's header
        (``OpenStack-API-Version: compute X``), or with ``legacy_header`` only its legacy
        ones (``X-OpenStack-Nova-API-Version: X``); None sends neither. ``json`` is serialised, ``body`` is sent
        as it is. ``headers``
        come last and win. Redirects are not followed.

        Raises :class:`TargetTimeout` when no answer comes within the timeout and
        :class:`TargetError` when the target cannot be reached.
        """
        if self._closed:
            raise TargetError(f"{method} {path}: this Target is closed")
        method = method.upper()
        url = self.url(path)
        sent: dict[str, str] = {"Accept": "application/json", "User-Agent": USER_AGENT}
        sent.update(self.api.headers(microversion, legacy_header))
        if json is not None and body is not None:
            raise ValueError("give json or body, not both")
        data = body
        if json is not None:
            data = jsonlib.dumps(json).encode("utf-8")
            sent["Content-Type"] = "application/json"
        used_role = role if authenticated else None
        if authenticated and token is not None:
            sent["X-Auth-Token"] = token
        elif authenticated and role is not None:
            sent["X-Auth-Token"] = self.credentials.token(role)
        sent.update(headers or {})
        prepared = self._session.prepare_request(
            requests.Request(method, url, headers=sent, data=data, params=_params(params)))
        wait = self.timeout if timeout is None else timeout
        with self._lock:
            self._sent += 1
        start = time.perf_counter()
        where = f"{method} {prepared.url}"
        try:
            answer = self._session.send(prepared, timeout=wait, allow_redirects=False, stream=True)
            content = _read_capped(answer)
        except requests.Timeout:
            raise TargetTimeout(f"{where} (as {used_role or 'no token'}) got no answer within {wait:g} s "
                                "(--request-timeout)") from None
        except requests.ConnectionError as error:
            raise TargetError(f"{where}: the target cannot be reached ({_reason(error)})") from None
        except requests.RequestException as error:
            raise TargetError(f"{where}: {type(error).__name__}: {_reason(error)}") from None
        elapsed = time.perf_counter() - start
        exchange = Exchange(
            Request(method, str(prepared.url), redact_headers(prepared.headers.items()),
                    _bytes(prepared.body), used_role),
            Response(answer.status_code, redact_headers(_raw_headers(answer)), content, elapsed),
        )
        for listener in list(self._listeners):
            listener(exchange)
        return exchange

    def get(self, path: str, **kwargs: Any) -> Exchange:
        """:meth:`request` with GET."""
        return self.request("GET", path, **kwargs)

    def post(self, path: str, **kwargs: Any) -> Exchange:
        """:meth:`request` with POST."""
        return self.request("POST", path, **kwargs)

    def delete(self, path: str, **kwargs: Any) -> Exchange:
        """:meth:`request` with DELETE."""
        return self.request("DELETE", path, **kwargs)

    # -- lifetime -----------------------------------------------------------------------------------------

    def close(self) -> None:
        """Close the connection pool; later requests raise :class:`TargetError`."""
        self._closed = True
        self._session.close()

    def __enter__(self) -> Target:
        return self

    def __exit__(self, kind: type[BaseException] | None, value: BaseException | None,
                 traceback: TracebackType | None) -> None:
        self.close()

    def __repr__(self) -> str:  # never shows tokens
        d = self.discovery
        return (f"Target({d.endpoint!r}, versions={d.min_version}-{d.max_version}, roles={sorted(self.roles)}"
                f"{', closed' if self._closed else ''})")


def _http_session(verify: bool | str) -> requests.Session:
    session = requests.Session()
    session.trust_env = False  # no proxies or netrc tokens picked up behind the user's back
    # Every request stands alone, as its curl shows it: no cookie a target sets is sent back.
    session.cookies.set_policy(http.cookiejar.DefaultCookiePolicy(allowed_domains=[]))
    session.verify = verify
    adapter = HTTPAdapter(pool_connections=4, pool_maxsize=16, max_retries=0)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    return session


def _params(params: Mapping[str, Any] | Iterable[tuple[str, Any]] | None) -> Any:
    if params is None or isinstance(params, Mapping):
        return params
    return list(params)


def _bytes(body: Any) -> bytes | None:
    if body is None or isinstance(body, bytes):
        return body
    return str(body).encode("utf-8")


def _raw_headers(answer: requests.Response) -> list[tuple[str, str]]:
    raw = getattr(answer.raw, "headers", None)
    if raw is not None and hasattr(raw, "iteritems"):  # urllib3: repeated headers kept apart
        return [(str(k), str(v)) for k, v in raw.iteritems()]
    return [(str(k), str(v)) for k, v in answer.headers.items()]


def _reason(error: BaseException) -> str:
    text = str(error)
    inner = error.args[0] if error.args else None
    reason = getattr(inner, "reason", None)
    if reason is not None:
        text = str(reason)
    return text.split(": ", 1)[-1] if "Connection refused" in text or "Errno" in text else text


def _discovery(endpoint: str) -> Discovery:
    root = endpoint.rsplit("v2.1", 1)[0]
    nothing = Exchange(Request("GET", endpoint + "/"), Response(0))
    return Discovery(root, endpoint, Microversion(2, 1), Microversion(2, 1), nothing)


_PENDING = _discovery("http://discovery.pending/v2.1")


MAX_BODY = 16 * 1024 * 1024
"""Bytes of a response body kept: a hostile target cannot exhaust memory; a longer body is cut (and so is
not valid JSON, which the body checks report)."""


def _read_capped(answer: requests.Response, limit: int = MAX_BODY) -> bytes:
    chunks: list[bytes] = []
    size = 0
    try:
        for chunk in answer.iter_content(chunk_size=65536):
            chunks.append(chunk[:limit - size])
            size += len(chunks[-1])
            if size >= limit:
                break
    finally:
        answer.close()
    return b"".join(chunks)
