"""Fetching a pinned sdist and keeping its api-ref in the cache, safely.

:func:`fetch` asks the package index's PEP 691 JSON simple API for the pinned file, refuses it
when the index advertises another sha256, downloads it (refusing it when its sha256 differs from
the pin), and extracts only the selected folders (the api-ref tree, and where the samples live)
into the cache. The cache is written atomically: the archive is downloaded and extracted into
temporary names beside the target, a marker file recording the sha256 is written last, and the
finished tree is renamed into place. A tree without a marker (an interrupted run) is thrown away
and fetched again. ``requests`` is imported only here, and only when something must be fetched.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import shutil
import tarfile
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path, PurePosixPath
from urllib.parse import urljoin

from conformance.apiref.sources import DEFAULT_INDEX_URL, MARKER, Pin
from conformance.errors import IntegrityError, SourceError

__all__ = ["fetch", "is_complete"]

_SIMPLE_JSON = "application/vnd.pypi.simple.v1+json"
_HEADERS = {"User-Agent": "conformance (api-ref fetcher)", "Accept-Encoding": "identity"}
_TIMEOUT = (15.0, 60.0)  # (connect, read) seconds
_CHUNK = 1 << 16
_LARGE = 1 << 20  # files above this get percentage progress lines
_STALE_SECONDS = 3600.0  # temporaries older than this are leftovers of a dead run

Selection = tuple[tuple[str, ...], ...]
"""The sdist folders to extract, as path parts below the archive's top folder: ``(("api-ref",),)``."""


def fetch(package: str, pin: Pin, target: Path, origin: str, api_ref: str, selection: Sequence[str],
          say: Callable[[str], None]) -> None:
    """Download the pinned archive of ``package`` and install its selected folders at ``target``.

    ``api_ref`` is the api-ref folder the archive must hold (``api-ref/source/v3``); ``selection``
    the folders kept (``["api-ref", "doc/api_samples"]``). Raises :class:`IntegrityError` when the
    index or the download disagrees with the pin, :class:`SourceError` when something cannot be
    fetched or the archive is unsafe or holds no api-ref.
    """
    _sweep_stale(target.parent, target.name)
    url = _find_url(package, pin, target)
    archive = _download(url, pin, target, say)
    parts = tuple(tuple(PurePosixPath(folder).parts) for folder in selection)
    try:
        _install(archive, pin, target, origin, api_ref, parts, say)
    finally:
        archive.unlink(missing_ok=True)


def is_complete(target: Path, sha256: str) -> bool:
    """Whether ``target`` holds a complete extraction of the archive with this sha256 (its marker says so)."""
    from conformance.apiref import sources

    return sources._is_complete(target, sha256)


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
    import requests

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
    import requests

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


def _install(archive: Path, pin: Pin, target: Path, origin: str, api_ref: str, selection: Selection,
             say: Callable[[str], None]) -> None:
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}-", suffix=".partial", dir=target.parent))
    try:
        top, count = _extract(archive, pin.filename, staging, selection, api_ref)
        tree = staging / top
        if not any(path.is_file() for path in (tree / api_ref).glob("*.inc")):
            raise SourceError(f"{pin.filename}/{top}/{api_ref} is not an api-ref source directory: "
                              "it has no *.inc file")
        marker = {"origin": origin, "filename": pin.filename, "sha256": pin.sha256, "files": count}
        (tree / MARKER).write_text(json.dumps(marker, indent=1) + "\n", encoding="utf-8")  # last: it means complete
        _replace(tree, target, pin.sha256)
        say(f"extracted {count} api-ref files of {pin.filename} into {target}")
    except OSError as exc:
        raise SourceError(f"cannot install {pin.filename} into {target}: {exc}") from exc
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _replace(tree: Path, target: Path, sha256: str) -> None:
    if is_complete(target, sha256):  # a concurrent run finished first: keep its copy, readers may be using it
        return
    if target.exists() or target.is_symlink():
        # An incomplete earlier tree: move it aside first so the rename below is atomic.
        trash = Path(tempfile.mkdtemp(prefix=f".{target.name}-", suffix=".stale", dir=target.parent))
        os.replace(target, trash / "old")
        shutil.rmtree(trash, ignore_errors=True)
    try:
        os.replace(tree, target)
    except OSError:
        if not is_complete(target, sha256):  # else a concurrent run finished first: use its copy
            raise


def _extract(archive: Path, filename: str, staging: Path, selection: Selection, api_ref: str) -> tuple[str, int]:
    """Extract the selected members into ``staging``; return the archive's top folder and the file count."""
    try:
        with tarfile.open(archive, "r:gz") as tar:
            members = tar.getmembers()
            every = (PurePosixPath(member.name).parts for member in members)
            names = {parts for parts in every if _is_selected(parts, selection)}
            for member in members:
                reason = _refusal(member, names, selection)
                if reason is not None:
                    raise SourceError(f"{filename}: refusing archive member {member.name!r}: {reason}")
            selected = [member for member in members if PurePosixPath(member.name).parts in names]
            tops = {parts[0] for parts in names}
            if len(tops) != 1:
                found = f"in several top folders ({', '.join(sorted(tops))})" if tops else "nowhere"
                raise SourceError(f"{filename}: expected one */{api_ref} tree, found it {found}")
            tar.extractall(staging, members=selected, filter="data")  # the data filter as a second guard
    except (tarfile.TarError, EOFError) as exc:  # FilterError is a TarError
        raise SourceError(f"cannot extract {filename}: {exc}") from exc
    return tops.pop(), sum(1 for member in selected if member.isfile())


def _is_selected(parts: tuple[str, ...], selection: Selection) -> bool:
    """Whether an archive member (path parts, the top folder first) lies in one of the selected folders."""
    return any(len(parts) > len(folder) and parts[1:1 + len(folder)] == folder for folder in selection)


def _refusal(member: tarfile.TarInfo, names: set[tuple[str, ...]], selection: Selection) -> str | None:
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
    leaves = resolved[:1] != path.parts[:1] or not _is_selected(resolved, selection)
    if leaves or (member.islnk() and resolved not in names):
        return f"its link target {member.linkname!r} leaves the extracted api-ref"
    return None
