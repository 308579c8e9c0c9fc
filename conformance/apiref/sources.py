"""Where an api-ref comes from: a local directory, or a pinned release sdist.

An api-ref source directory holds ``index.rst``, the ``*.inc`` files, the
parameters files its ``rest_parameters`` lists name (``parameters.yaml``,
glance's ``images-parameters.yaml``...) and the samples, wherever its
``literalinclude`` paths reach them (nova: ``../../doc/api_samples/...``;
neutron: ``samples/...`` beside the ``.inc`` files).

* :func:`local` wraps such a directory as given (``--api-ref DIR``).
* :func:`release` fetches a released sdist (``--nova-version``) from the
  package index's PEP 691 JSON simple API, checks it against the sha256 pinned
  in ``pins.json`` (and against the hash the index advertises), and extracts
  only the folders its service's entry in ``services.toml`` names (the
  ``api-ref`` tree, and ``doc/api_samples`` for nova) into the user cache,
  ``cache_root()/<package>-<version>/``. Once the cache is complete it is
  reused without touching the network (see :mod:`conformance.apiref.archive`).
* :func:`for_service` is the pinned release of a service type (``--service block-storage``).

Environment: ``CONFORMANCE_INDEX_URL``, the simple index to ask (default
``https://pypi.org/simple``); ``CONFORMANCE_CACHE_DIR``, the project's cache
(default ``$XDG_CACHE_HOME/conformance`` else ``~/.cache/conformance``), whose
``apiref/`` folder holds the releases.

Adding a pin (say nova 35.0.0): download ``nova-35.0.0.tar.gz`` from the index,
run ``sha256sum nova-35.0.0.tar.gz``, compare it with the hash the index lists
for that file, and add ``"35.0.0": {"filename": "nova-35.0.0.tar.gz",
"sha256": "<hex>"}`` under ``"nova"`` in ``conformance/apiref/pins.json``. A
new package also needs its entry in ``services.toml``.
"""

from __future__ import annotations

import json
import os
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

from conformance.apiref import services
from conformance.errors import SourceError, VersionError

__all__ = [
    "DEFAULT_INDEX_URL",
    "MARKER",
    "PINS_FILE",
    "ApiRefSource",
    "Pin",
    "cache_root",
    "for_service",
    "load_pins",
    "local",
    "release",
]

PINS_FILE = Path(__file__).with_name("pins.json")
"""The recorded sha256 of every release :func:`release` accepts."""

DEFAULT_INDEX_URL = "https://pypi.org/simple"
"""The package index asked when ``CONFORMANCE_INDEX_URL`` is not set."""

MARKER = ".conformance-complete.json"
"""Written last into a cached release: its absence means the tree is incomplete."""


class Pin(NamedTuple):
    """The archive a pinned release must be: its file name and sha256."""

    filename: str
    sha256: str

_INCLUDE = re.compile(r"^\s*\.\.\s+include::\s*(\S+)\s*$", re.M)


@dataclass(frozen=True)
class ApiRefSource:
    """An api-ref source directory, and where it came from."""

    root: Path
    """The absolute api-ref source directory (holds the *.inc files)."""
    origin: str
    """``"nova==34.0.0"`` for a release; the directory as given for a local one."""
    sha256: str | None
    """The sha256 of the release archive; None for a local directory."""
    service: str
    """The service type the api-ref describes, e.g. ``"compute"``."""
    repository: Path | None = field(default=None, compare=False)
    """The repository (or extracted sdist) holding the api-ref; None: found from :attr:`root` (:attr:`repo_root`)."""

    @property
    def repo_root(self) -> Path:
        """The repository holding the api-ref: the folder above ``api-ref``, else two levels above :attr:`root`.

        ``cinder/api-ref/source/v3`` gives ``cinder``, as ``nova/api-ref/source`` gives ``nova``.
        """
        if self.repository is not None:
            return self.repository
        for ancestor in self.root.parents:
            if ancestor.name == "api-ref":
                return ancestor.parent
        return self.root.parent.parent

    def inc_files(self) -> list[Path]:
        """The ``*.inc`` documents directly in :attr:`root`, sorted by name.

        A fragment another ``.inc`` file includes (neutron's ``filtering-list.inc``) is read where it is
        included, not on its own.
        """
        files = sorted((path for path in self.root.glob("*.inc") if path.is_file()), key=lambda path: path.name)
        fragments: set[Path] = set()
        for path in files:
            try:
                text = path.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError):
                continue  # the compiler reports it when it reads the file
            fragments.update(Path(os.path.normpath(path.parent / name)) for name in _INCLUDE.findall(text))
        return [path for path in files if path not in fragments]

    def parameters_file(self) -> Path:
        """``root/parameters.yaml``. Raises :class:`SourceError` if it is missing."""
        path = self.root / "parameters.yaml"
        if not path.is_file():
            raise SourceError(f"{self.origin}: no parameters.yaml in {self.root}")
        return path

    def relative(self, path: Path) -> str:
        """The name a :class:`~conformance.model.Source` uses for ``path``.

        Files in the api-ref are named relative to :attr:`root`
        (``"server-migrations.inc"``, ``"samples/networks/network-show-response.json"``),
        anything else in the repository relative to :attr:`repo_root`
        (``"doc/api_samples/os-migrations/migrations-get.json"``, cinder's
        ``"api-ref/source/status.yaml"``); anything else keeps its full path.
        """
        given = Path(os.path.abspath(self.root / path))
        found = self._relative_to_a_base(given)
        if found is None and given.exists():
            found = self._relative_to_a_base(given.resolve())  # a link into the repository
        return found if found is not None else str(path)

    def _relative_to_a_base(self, candidate: Path) -> str | None:
        for base in (self.root, self.repo_root):
            if candidate.is_relative_to(base):
                return candidate.relative_to(base).as_posix()
        return None

    def resolve_include(self, include: str, from_file: Path) -> Path:
        """The file a ``literalinclude`` (or ``rest_parameters``, ``include``) names, without checking it exists.

        A relative path is taken from the including file's directory, as Sphinx
        does (``../../doc/api_samples/x.json`` from ``root/servers.inc`` gives
        ``repo_root/doc/api_samples/x.json``); an absolute one from :attr:`root`.
        """
        if include.startswith("/"):
            return Path(os.path.normpath(self.root / include.lstrip("/")))
        base = from_file.parent if from_file.is_absolute() else self.root / from_file.parent
        return Path(os.path.normpath(base / include))


def local(directory: str | Path, service: str = "compute") -> ApiRefSource:
    """Wrap an api-ref source directory, e.g. ``local("nova/api-ref/source")``.

    Raises :class:`SourceError` if ``directory`` is not a directory or holds no ``*.inc`` file.
    """
    given = str(directory)
    root = Path(directory).expanduser().resolve()
    if not root.exists():
        raise SourceError(f"api-ref directory {given} does not exist")
    if not root.is_dir():
        raise SourceError(f"api-ref {given} is not a directory")
    _check_root(root, given)
    return ApiRefSource(root=root, origin=given, sha256=None, service=service)


def _check_root(root: Path, origin: str) -> None:
    if any(path.is_file() for path in root.glob("*.inc")):
        return
    folders = sorted({inc.parent for inc in root.glob("api-ref/source/**/*.inc")})
    hint = f" (did you mean {origin.rstrip('/')}/{folders[0].relative_to(root).as_posix()}?)" if folders else ""
    raise SourceError(f"{origin} is not an api-ref source directory: it has no *.inc file{hint}")


def cache_root() -> Path:
    """The folder holding cached api-refs, e.g. ``~/.cache/conformance/apiref``.

    ``$CONFORMANCE_CACHE_DIR/apiref`` if that is set, else
    ``$XDG_CACHE_HOME/conformance/apiref`` (an absolute XDG_CACHE_HOME only, as
    the XDG spec says), else ``~/.cache/conformance/apiref``. Raises nothing.
    """
    override = os.environ.get("CONFORMANCE_CACHE_DIR")
    if override:
        return Path(override).expanduser() / "apiref"
    xdg = os.environ.get("XDG_CACHE_HOME")
    base = Path(xdg) if xdg and Path(xdg).is_absolute() else Path.home() / ".cache"
    return base / "conformance" / "apiref"


def load_pins() -> dict[str, dict[str, Pin]]:
    """Read :data:`PINS_FILE`: ``{"nova": {"34.0.0": Pin("nova-34.0.0.tar.gz", "919e...")}}``.

    Raises :class:`SourceError` if the file is unreadable or malformed.
    """
    try:
        data = json.loads(PINS_FILE.read_text(encoding="utf-8"))
        return {
            package: {
                version: Pin(str(pin["filename"]), str(pin["sha256"]).lower()) for version, pin in releases.items()
            }
            for package, releases in data.items()
        }
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise SourceError(f"cannot read the release pins in {PINS_FILE}: {exc}") from exc


def _version_key(version: str) -> tuple[tuple[int, int | str], ...]:
    return tuple((0, int(part)) if part.isdigit() else (1, part) for part in re.split(r"[.\-+]", version))


def _pin(package: str, version: str) -> Pin:
    pins = load_pins()
    if package not in pins:
        raise VersionError(f"{package} has no pinned releases; pinned packages: {', '.join(sorted(pins))}")
    releases = pins[package]
    if version not in releases:
        known = ", ".join(sorted(releases, key=_version_key))
        raise VersionError(f"{package} {version} is not pinned; pinned: {known}")
    return releases[version]


def for_service(service_type: str, version: str | None = None, **options: object) -> ApiRefSource:
    """The pinned release of a service type's api-ref: ``for_service("block-storage")`` is cinder 29.0.0's.

    ``version`` picks another pinned release of the same package; ``options`` are :func:`release`'s.
    Raises :class:`VersionError` for a service type services.toml does not describe, and
    whatever :func:`release` raises.
    """
    described = services.profile(service_type)
    if described is None:
        raise VersionError(f"unknown service type {service_type!r}; known: {', '.join(services.service_types())}")
    return release(described.package, version or described.release, **options)  # type: ignore[arg-type]


def release(
    package: str = "nova",
    version: str = "34.0.0",
    *,
    cache_dir: Path | None = None,
    offline: bool = False,
    progress: Callable[[str], None] | None = None,
) -> ApiRefSource:
    """The api-ref of a pinned release, fetched into the cache once, e.g. ``release("nova", "34.0.0")``.

    ``cache_dir`` replaces :func:`cache_root`; ``offline`` forbids any download;
    ``progress`` receives one-line progress messages (default: printed to
    stderr). A complete cached copy is used without any network access.

    Raises :class:`VersionError` for a release with no pin,
    :class:`IntegrityError` when the index or the download disagrees with the
    pin (the download is deleted), and :class:`SourceError` when the index or
    the file cannot be fetched and the cache has no copy, or when the archive
    is unsafe or holds no api-ref.
    """
    pin = _pin(package, version)
    described = services.by_package(package)
    if described is None:
        raise SourceError(f"{package} is pinned but no service in services.toml names it as its package")
    origin = f"{package}=={version}"
    folder = cache_dir if cache_dir is not None else cache_root()
    target = folder / f"{package}-{version}"
    if not _is_complete(target, pin.sha256):
        if offline:
            raise SourceError(f"{origin} is not in the cache at {target}, and offline mode forbids downloading it")
        say = progress if progress is not None else lambda message: print(message, file=sys.stderr, flush=True)
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise SourceError(f"cannot create the cache directory {folder}: {exc}") from exc
        from conformance.apiref.archive import fetch  # tarfile, tempfile, requests: only when fetching

        fetch(package, pin, target, origin, described.api_ref, described.extract, say)
    root = target / described.api_ref
    _check_root(root, f"{origin} (cached at {target})")
    return ApiRefSource(root=root, origin=origin, sha256=pin.sha256, service=described.service_type,
                        repository=target)


def _is_complete(target: Path, sha256: str) -> bool:
    """Whether ``target`` holds a complete extraction of the archive with this sha256 (its marker says so)."""
    try:
        marker = json.loads((target / MARKER).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(marker, dict) and marker.get("sha256") == sha256
