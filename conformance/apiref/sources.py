"""Where an api-ref comes from: a local directory, or a pinned release sdist.

An api-ref source directory holds ``index.rst``, the ``*.inc`` files and one
``parameters.yaml`` (in a nova checkout: ``api-ref/source``). Its samples live
two levels up, under ``doc/api_samples/``, and the ``literalinclude`` paths
reach them as ``../../doc/api_samples/...`` relative to the including file.

* :func:`local` wraps such a directory as given (``--api-ref DIR``).
* :func:`release` fetches a released sdist (``--nova-version``) from the
  package index's PEP 691 JSON simple API, checks it against the sha256 pinned
  in ``pins.json`` (and against the hash the index advertises), and extracts
  only ``*/api-ref/source/**`` and ``*/doc/api_samples/**`` into the user
  cache, ``cache_root()/<package>-<version>/``. Once the cache is complete it
  is reused without touching the network.

Environment: ``CONFORMANCE_INDEX_URL``, the simple index to ask (default
``https://pypi.org/simple``); ``CONFORMANCE_CACHE_DIR``, the project's cache
(default ``$XDG_CACHE_HOME/conformance`` else ``~/.cache/conformance``), whose
``apiref/`` folder holds the releases.

The cache is written atomically: the archive is downloaded and extracted into
temporary names beside the target, a marker file recording the sha256 is
written last, and the finished tree is renamed into place. A tree without a
marker (an interrupted run) is thrown away and fetched again.

Adding a pin (say nova 35.0.0): download ``nova-35.0.0.tar.gz`` from the index,
run ``sha256sum nova-35.0.0.tar.gz``, compare it with the hash the index lists
for that file, and add ``"35.0.0": {"filename": "nova-35.0.0.tar.gz",
"sha256": "<hex>"}`` under ``"nova"`` in ``conformance/apiref/pins.json``. A
new package also needs its service type in :data:`SERVICE_TYPES`.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import shutil
import sys
import tarfile
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import NamedTuple
from urllib.parse import urljoin

import requests

from conformance.errors import IntegrityError, SourceError, VersionError

__all__ = [
    "DEFAULT_INDEX_URL",
    "PINS_FILE",
    "SERVICE_TYPES",
    "ApiRefSource",
    "Pin",
    "cache_root",
    "load_pins",
    "local",
    "release",
]

PINS_FILE = Path(__file__).with_name("pins.json")
"""The recorded sha256 of every release :func:`release` accepts."""

DEFAULT_INDEX_URL = "https://pypi.org/simple"

SERVICE_TYPES = {
    "nova": "compute",
    "cinder": "block-storage",
    "glance": "image",
    "neutron": "network",
    "keystone": "identity",
    "placement": "placement",
}
"""The service type (as in the service catalog) whose api-ref each package ships."""

MARKER = ".conformance-complete.json"
"""Written last into a cached release: its absence means the tree is incomplete."""

_SIMPLE_JSON = "application/vnd.pypi.simple.v1+json"
_HEADERS = {"User-Agent": "conformance (api-ref fetcher)", "Accept-Encoding": "identity"}
_SELECTED = (("api-ref", "source"), ("doc", "api_samples"))
_TIMEOUT = (15.0, 60.0)  # (connect, read) seconds
_CHUNK = 1 << 16
_LARGE = 1 << 20  # files above this get percentage progress lines
_STALE_SECONDS = 3600.0  # temporaries older than this are leftovers of a dead run


class Pin(NamedTuple):
    """The archive a pinned release must be: its file name and sha256."""

    filename: str
    sha256: str


@dataclass(frozen=True)
class ApiRefSource:
    """An api-ref source directory, and where it came from."""

    root: Path
    """The absolute api-ref source directory (holds parameters.yaml and the *.inc)."""
    origin: str
    """``"nova==34.0.0"`` for a release; the directory as given for a local one."""
    sha256: str | None
    """The sha256 of the release archive; None for a local directory."""
    service: str
    """The service type the api-ref describes, e.g. ``"compute"``."""

    @property
    def repo_root(self) -> Path:
        """The repository (or sdist) holding the api-ref: two levels above :attr:`root`."""
        return self.root.parent.parent

    def inc_files(self) -> list[Path]:
        """Every ``*.inc`` file directly in :attr:`root`, sorted by name."""
        return sorted((path for path in self.root.glob("*.inc") if path.is_file()), key=lambda path: path.name)

    def parameters_file(self) -> Path:
        """``root/parameters.yaml``. Raises :class:`SourceError` if it is missing."""
        path = self.root / "parameters.yaml"
        if not path.is_file():
            raise SourceError(f"{self.origin}: no parameters.yaml in {self.root}")
        return path

    def relative(self, path: Path) -> str:
        """The name a :class:`~conformance.model.Source` uses for ``path``.

        Files in the api-ref are named relative to :attr:`root`
        (``"server-migrations.inc"``), samples relative to :attr:`repo_root`
        (``"doc/api_samples/os-migrations/migrations-get.json"``); anything
        else keeps its full path.
        """
        candidates = [Path(os.path.abspath(self.root / path))]
        if candidates[0].exists():
            candidates.append(candidates[0].resolve())
        for candidate in candidates:
            for base in (self.root, self.repo_root):
                if candidate.is_relative_to(base):
                    return candidate.relative_to(base).as_posix()
        return str(path)

    def resolve_include(self, include: str, from_file: Path) -> Path:
        """The file a ``literalinclude`` names, without checking that it exists.

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

    Raises :class:`SourceError` if ``directory`` is not a directory, or holds no
    parameters.yaml or no ``*.inc`` file.
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
    hint = ""
    if (root / "api-ref" / "source" / "parameters.yaml").is_file():
        hint = f" (did you mean {origin.rstrip('/')}/api-ref/source?)"
    if not (root / "parameters.yaml").is_file():
        raise SourceError(f"{origin} is not an api-ref source directory: it has no parameters.yaml{hint}")
    if not any(path.is_file() for path in root.glob("*.inc")):
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
    service = SERVICE_TYPES.get(package)
    if service is None:
        raise SourceError(f"{package} is pinned but its service type is unknown; add it to SERVICE_TYPES")
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
        _sweep_stale(folder, target.name)
        url = _find_url(package, pin, target)
        archive = _download(url, pin, target, say)
        try:
            _install(archive, pin, target, origin, say)
        finally:
            archive.unlink(missing_ok=True)
    root = target / "api-ref" / "source"
    _check_root(root, f"{origin} (cached at {target})")
    return ApiRefSource(root=root, origin=origin, sha256=pin.sha256, service=service)


def _is_complete(target: Path, sha256: str) -> bool:
    try:
        marker = json.loads((target / MARKER).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(marker, dict) and marker.get("sha256") == sha256


def _sweep_stale(folder: Path, name: str) -> None:
    # Temporaries of a run that was killed; a live run's are younger than this.
    cutoff = time.time() - _STALE_SECONDS
    for leftover in folder.glob(f".{name}-*"):
        with contextlib.suppress(OSError):
            if leftover.lstat().st_mtime < cutoff and leftover.is_dir() and not leftover.is_symlink():
                shutil.rmtree(leftover)
            elif leftover.lstat().st_mtime < cutoff:
                leftover.unlink()


def _unreachable(url: str, exc: Exception, target: Path) -> SourceError:
    return SourceError(
        f"could not fetch {url}: {exc}; the cache at {target} has no complete copy "
        "(check the network, or CONFORMANCE_INDEX_URL)"
    )


def _find_url(package: str, pin: Pin, target: Path) -> str:
    index = os.environ.get("CONFORMANCE_INDEX_URL") or DEFAULT_INDEX_URL
    page = f"{index.rstrip('/')}/{re.sub(r'[-_.]+', '-', package).lower()}/"
    try:
        response = requests.get(page, headers={**_HEADERS, "Accept": _SIMPLE_JSON}, timeout=_TIMEOUT)
        response.raise_for_status()
    except requests.RequestException as exc:
        raise _unreachable(page, exc, target) from exc
    content_type = response.headers.get("Content-Type", "").split(";")[0].strip()
    try:
        listing = response.json() if content_type == _SIMPLE_JSON else None
    except requests.JSONDecodeError:
        listing = None
    if not isinstance(listing, dict) or not isinstance(listing.get("files"), list):
        raise SourceError(f"{page} did not answer with the PEP 691 JSON simple API ({_SIMPLE_JSON})")
    for entry in listing["files"]:
        if not isinstance(entry, dict) or entry.get("filename") != pin.filename:
            continue
        hashes = entry.get("hashes")
        advertised = hashes.get("sha256") if isinstance(hashes, dict) else None
        if isinstance(advertised, str) and advertised.lower() != pin.sha256:
            raise IntegrityError(
                f"{page} lists {pin.filename} with sha256 {advertised.lower()}, "
                f"but pins.json pins {pin.sha256}; not downloading it"
            )
        url = entry.get("url")
        if not isinstance(url, str) or not url:
            raise SourceError(f"{page} lists {pin.filename} without a URL")
        return urljoin(response.url or page, url)
    raise SourceError(f"{pin.filename} is not listed at {page}")


def _download(url: str, pin: Pin, target: Path, say: Callable[[str], None]) -> Path:
    handle, name = tempfile.mkstemp(prefix=f".{target.name}-", suffix=".download", dir=target.parent)
    archive = Path(name)
    digest = hashlib.sha256()
    try:
        with os.fdopen(handle, "wb") as out, requests.get(url, stream=True, timeout=_TIMEOUT, headers=_HEADERS) as got:
            got.raise_for_status()
            total = int(got.headers.get("Content-Length") or 0)
            say(f"downloading {url}" + (f" ({_size(total)})" if total else ""))
            done, shown = 0, 0
            for chunk in got.iter_content(_CHUNK):
                out.write(chunk)
                digest.update(chunk)
                done += len(chunk)
                if total > _LARGE and done * 10 // total > shown:
                    shown = done * 10 // total
                    say(f"  {pin.filename}: {min(shown * 10, 100)}% ({_size(done)} of {_size(total)})")
    except BaseException as exc:
        archive.unlink(missing_ok=True)
        if isinstance(exc, requests.RequestException):  # before OSError: it is one
            raise _unreachable(url, exc, target) from exc
        if isinstance(exc, OSError):
            raise SourceError(f"cannot write the download to {archive}: {exc}") from exc
        raise
    actual = digest.hexdigest()
    if actual != pin.sha256:
        archive.unlink(missing_ok=True)
        raise IntegrityError(
            f"{pin.filename} from {url} has sha256 {actual}, but pins.json pins {pin.sha256}; the download was deleted"
        )
    return archive


def _size(count: int) -> str:
    return f"{count / _LARGE:.1f} MiB" if count >= _LARGE else f"{count / 1024:.1f} KiB"


def _install(archive: Path, pin: Pin, target: Path, origin: str, say: Callable[[str], None]) -> None:
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}-", suffix=".partial", dir=target.parent))
    try:
        top, count = _extract(archive, pin.filename, staging)
        tree = staging / top
        _check_root(tree / "api-ref" / "source", f"{pin.filename}/{top}")
        marker = {"origin": origin, "filename": pin.filename, "sha256": pin.sha256, "files": count}
        (tree / MARKER).write_text(json.dumps(marker, indent=1) + "\n", encoding="utf-8")  # last: it means complete
        _replace(tree, target, pin.sha256)
        say(f"extracted {count} api-ref files of {pin.filename} into {target}")
    except OSError as exc:
        raise SourceError(f"cannot install {pin.filename} into {target}: {exc}") from exc
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _replace(tree: Path, target: Path, sha256: str) -> None:
    if _is_complete(target, sha256):  # a concurrent run finished first: keep its copy, readers may be using it
        return
    if target.exists() or target.is_symlink():
        # An incomplete earlier tree: move it aside first so the rename below is atomic.
        trash = Path(tempfile.mkdtemp(prefix=f".{target.name}-", suffix=".stale", dir=target.parent))
        os.replace(target, trash / "old")
        shutil.rmtree(trash, ignore_errors=True)
    try:
        os.replace(tree, target)
    except OSError:
        if not _is_complete(target, sha256):  # else a concurrent run finished first: use its copy
            raise


def _extract(archive: Path, filename: str, staging: Path) -> tuple[str, int]:
    """Extract the selected members into ``staging``; return the archive's top folder and the file count."""
    try:
        with tarfile.open(archive, "r:gz") as tar:
            members = tar.getmembers()
            names = {parts for parts in (PurePosixPath(member.name).parts for member in members) if _is_selected(parts)}
            for member in members:
                reason = _refusal(member, names)
                if reason is not None:
                    raise SourceError(f"{filename}: refusing archive member {member.name!r}: {reason}")
            selected = [member for member in members if PurePosixPath(member.name).parts in names]
            tops = {parts[0] for parts in names}
            if len(tops) != 1:
                found = f"in several top folders ({', '.join(sorted(tops))})" if tops else "nowhere"
                raise SourceError(f"{filename}: expected one */api-ref/source tree, found it {found}")
            tar.extractall(staging, members=selected, filter="data")  # the data filter as a second guard
    except (tarfile.TarError, EOFError) as exc:  # FilterError is a TarError
        raise SourceError(f"cannot extract {filename}: {exc}") from exc
    return tops.pop(), sum(1 for member in selected if member.isfile())


def _is_selected(parts: tuple[str, ...]) -> bool:
    return len(parts) >= 3 and parts[1:3] in _SELECTED


def _refusal(member: tarfile.TarInfo, names: set[tuple[str, ...]]) -> str | None:
    """Why ``member`` must not be extracted, or None; ``names`` are the selected members' path parts."""
    # An absolute or climbing name anywhere refuses the whole archive: no honest sdist has one.
    path = PurePosixPath(member.name)
    if path.is_absolute() or re.match(r"^([A-Za-z]:|\\)", member.name):
        return "absolute path"
    if ".." in path.parts:
        return "'..' in its path"
    if path.parts not in names or member.isfile() or member.isdir():
        return None
    if not (member.issym() or member.islnk()):
        return "not a file, folder or link"
    if member.linkname.startswith("/"):
        return f"absolute link target {member.linkname!r}"
    # A symlink is relative to its folder, a hard link to the archive root.
    base = os.path.dirname(member.name) if member.issym() else ""
    resolved = PurePosixPath(os.path.normpath(os.path.join(base, member.linkname))).parts
    if resolved[:1] != path.parts[:1] or not _is_selected(resolved) or (member.islnk() and resolved not in names):
        return f"its link target {member.linkname!r} leaves the extracted api-ref"
    return None
