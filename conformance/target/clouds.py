"""keystoneauth1 sessions from clouds.yaml and OS_* variables, the way openstacksdk finds them.

openstacksdk's ``openstack.config`` is used when it is installed; otherwise
clouds.yaml (and secure.yaml) are read from ``OS_CLIENT_CONFIG_FILE``,
``./clouds.yaml``, ``~/.config/openstack/clouds.yaml`` and
``/etc/openstack/clouds.yaml``, and ``OS_AUTH_URL`` and friends make the
``envvars`` cloud.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from conformance.errors import TargetError

__all__ = ["Cloud", "authenticate", "compute_endpoint", "connect_cloud", "default_cloud_name", "load_cloud",
           "project_id"]

ENVVARS = "envvars"
_AUTH_VARS = ("auth_url", "username", "user_id", "password", "project_name", "project_id", "user_domain_name",
              "user_domain_id", "project_domain_name", "project_domain_id", "domain_name", "domain_id", "token",
              "application_credential_id", "application_credential_name", "application_credential_secret",
              "system_scope", "tenant_name", "tenant_id")
_CLOUD_VARS = ("auth_type", "region_name", "interface", "cacert", "cert", "key", "verify", "insecure",
               "compute_api_version", "compute_endpoint_override")


@dataclass(frozen=True)
class Cloud:
    """A keystoneauth1 session for one cloud, and where that cloud's compute endpoint is."""

    name: str
    """The cloud's name in clouds.yaml (``envvars`` for OS_* variables)."""
    session: Any
    """The keystoneauth1 session (its auth plugin renews the token)."""
    interface: str | None = None
    """The catalog interface the cloud asks for (public when None)."""
    region_name: str | None = None
    """The region the cloud asks for, or None."""
    endpoint_override: str | None = None
    """``compute_endpoint_override`` from the cloud, used instead of the catalog."""
    verify: bool | str = True
    """TLS verification: a bool or a CA bundle path."""

    def __repr__(self) -> str:  # never shows secrets
        return f"Cloud({self.name!r})"


def config_files(name: str) -> list[Path]:
    """Where openstacksdk looks for ``name`` (``clouds.yaml`` or ``secure.yaml``), first match wins."""
    paths = []
    env = os.environ.get("OS_CLIENT_CONFIG_FILE" if name == "clouds.yaml" else "OS_CLIENT_SECURE_FILE")
    if env:
        paths.append(Path(env))
    config_home = Path(os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config")
    paths += [Path.cwd() / name, config_home / "openstack" / name, Path("/etc/openstack") / name]
    return paths


def default_cloud_name(tokens: Mapping[str, Any] | None = None) -> str | None:
    """``OS_CLOUD``, else ``envvars`` when OS_AUTH_URL is set and no admin token was given, else None."""
    if tokens and tokens.get("admin"):
        return None
    if os.environ.get("OS_CLOUD"):
        return os.environ["OS_CLOUD"]
    return ENVVARS if os.environ.get("OS_AUTH_URL") else None


def _read_yaml(path: Path) -> dict[str, Any]:
    import yaml

    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as error:
        raise TargetError(f"{path}: cannot read it as YAML: {error}") from None
    return data if isinstance(data, dict) else {}


def _merge(base: dict[str, Any], extra: Mapping[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in extra.items():
        merged[key] = _merge(merged[key], value) if isinstance(value, Mapping) and isinstance(
            merged.get(key), dict) else value
    return merged


def _env_cloud() -> dict[str, Any]:
    auth = {k: os.environ[f"OS_{k.upper()}"] for k in _AUTH_VARS if os.environ.get(f"OS_{k.upper()}")}
    cloud: dict[str, Any] = {k: os.environ[f"OS_{k.upper()}"] for k in _CLOUD_VARS if os.environ.get(f"OS_{k.upper()}")}
    if auth:
        cloud["auth"] = auth
    return cloud


def load_cloud(name: str) -> dict[str, Any]:
    """The configuration of cloud ``name`` (secure.yaml merged in, OS_* variables for ``envvars``).

    Raises :class:`TargetError` when no clouds.yaml defines it.
    """
    if name == ENVVARS:
        cloud = _env_cloud()
        if not cloud.get("auth", {}).get("auth_url"):
            raise TargetError("cloud 'envvars' needs OS_AUTH_URL and credentials in the environment")
        return cloud
    found = next((p for p in config_files("clouds.yaml") if p.is_file()), None)
    if found is None:
        looked = ", ".join(str(p) for p in config_files("clouds.yaml"))
        raise TargetError(f"cloud {name!r}: no clouds.yaml found (looked in {looked})")
    clouds = _read_yaml(found).get("clouds") or {}
    if name not in clouds:
        raise TargetError(f"cloud {name!r} is not in {found} (it has: {', '.join(sorted(clouds)) or 'none'})")
    cloud = dict(clouds[name] or {})
    secure = next((p for p in config_files("secure.yaml") if p.is_file()), None)
    if secure is not None:
        cloud = _merge(cloud, (_read_yaml(secure).get("clouds") or {}).get(name) or {})
    return cloud


def connect_cloud(name: str, timeout: float | None = None) -> Cloud:
    """A keystoneauth1 session authenticated as cloud ``name``'s user (tokens renewed by keystoneauth1).

    No request is sent yet; keystone is asked for a token on first use, each
    request to keystone bounded by ``timeout`` seconds.
    Raises :class:`TargetError` for an unknown cloud or unusable auth settings.
    """
    try:
        import openstack.config  # type: ignore[import-not-found,unused-ignore]
    except ImportError:
        return _session_from(load_cloud(name), name, timeout)
    try:
        region = openstack.config.OpenStackConfig().get_one(cloud=None if name == ENVVARS else name)
        ks = region.get_session()
        ks.timeout = timeout
        return Cloud(name, ks, region.config.get("interface"), region.get_region_name("compute"),
                     region.config.get("compute_endpoint_override"), ks.verify)
    except Exception as error:
        raise TargetError(f"cloud {name!r}: {type(error).__name__}: {error}") from None


def _session_from(cloud: Mapping[str, Any], name: str, timeout: float | None = None) -> Cloud:
    from keystoneauth1 import loading
    from keystoneauth1 import session as ks_session

    auth = dict(cloud.get("auth") or {})
    auth_type = cloud.get("auth_type") or ("v3applicationcredential" if "application_credential_id" in auth or
                                           "application_credential_name" in auth else
                                           "v3token" if "token" in auth else "password")
    try:
        loader: Any = loading.get_plugin_loader(auth_type)
        known = {opt.dest for opt in loader.get_options()}
        unknown = sorted(set(auth) - known)
        if unknown:
            raise TargetError(f"cloud {name!r}: auth_type {auth_type!r} takes no {', '.join(unknown)}")
        plugin = loader.load_from_options(**auth)
    except TargetError:
        raise
    except Exception as error:
        raise TargetError(f"cloud {name!r}: cannot set up {auth_type!r} authentication: {error}") from None
    verify: bool | str = True
    if str(cloud.get("verify", True)).lower() in ("false", "0", "no") or str(
            cloud.get("insecure", False)).lower() in ("true", "1", "yes"):
        verify = False
    elif cloud.get("cacert"):
        verify = str(cloud["cacert"])
    cert = (str(cloud["cert"]), str(cloud["key"])) if cloud.get("cert") and cloud.get("key") else cloud.get("cert")
    ks = ks_session.Session(auth=plugin, verify=verify, cert=cert, timeout=timeout)
    return Cloud(name, ks, _str(cloud.get("interface")), _str(cloud.get("region_name")),
                 _str(cloud.get("compute_endpoint_override")), verify)


def _str(value: Any) -> str | None:
    return None if value is None else str(value)


def authenticate(cloud: Cloud, timeout: float) -> None:
    """Get the cloud's first token, or raise :class:`TargetError` saying why not.

    The wait is bounded: keystoneauth1 5.18 deadlocks (on its own lock) when the
    auth_url answers its version discovery with 401, so the call runs in a
    daemon thread that is abandoned if it does not finish.
    """
    outcome: list[BaseException | None] = []

    def run() -> None:
        try:
            cloud.session.get_token()
            outcome.append(None)
        except BaseException as error:
            outcome.append(error)

    worker = threading.Thread(target=run, name=f"keystone-{cloud.name}", daemon=True)
    worker.start()
    worker.join(timeout * 2 + 1)  # discovery, then the token request, each bounded by timeout
    if not outcome:
        raise TargetError(f"cloud {cloud.name!r}: no token from keystone within {timeout * 2 + 1:g} s "
                          "(does its auth_url answer version discovery without authentication?)")
    error = outcome[0]
    if error is not None:
        raise TargetError(f"cloud {cloud.name!r}: cannot get a token: {type(error).__name__}: {error}") from None


def compute_endpoint(cloud: Cloud, interface: str | None = None, region_name: str | None = None,
                     service_type: str = "compute") -> str:
    """The service's endpoint from the service catalog (``service_type``, interface public by default).

    Asks keystone for a token (and so the catalog) if the session has none yet.
    """
    if cloud.endpoint_override:
        return cloud.endpoint_override
    interface = interface or cloud.interface or "public"
    region_name = region_name or cloud.region_name
    from keystoneauth1.exceptions import EndpointNotFound

    try:
        url = cloud.session.get_endpoint(service_type=service_type, interface=interface, region_name=region_name)
    except EndpointNotFound:
        url = None
    except Exception as error:
        raise TargetError(f"cloud {cloud.name!r}: cannot get a token and service catalog: "
                          f"{type(error).__name__}: {error}") from None
    if not url:
        where = f" in region {region_name!r}" if region_name else ""
        raise TargetError(f"cloud {cloud.name!r}: the service catalog has no {interface} {service_type} "
                          f"endpoint{where}")
    return str(url)


def project_id(cloud: Cloud) -> str | None:
    """The project the cloud's session is scoped to, or None."""
    try:
        value = cloud.session.get_project_id()
    except Exception:
        return None
    return str(value) if value else None
