"""Tests of conformance.apiref.sources: local api-ref folders and pinned release sdists.

The release tests run a package index on 127.0.0.1 (http.server in a thread)
that serves a PEP 691 JSON listing and a small sdist built here, with pins.json
replaced by a temporary one pinning that sdist.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import tarfile
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import requests
from hypothesis import given
from hypothesis import strategies as st

from conformance.apiref import archive as archive_module
from conformance.apiref import sources
from conformance.errors import IntegrityError, SourceError, VersionError

SIMPLE_JSON = "application/vnd.pypi.simple.v1+json"
TOP = "nova-1.0"
FILENAME = "nova-1.0.tar.gz"

# (name, bytes) of a small sdist: an api-ref, samples, and files that must not be extracted.
SDIST_FILES: dict[str, bytes] = {
    "PKG-INFO": b"Name: nova\nVersion: 1.0\n",
    "setup.py": b"raise SystemExit('never run')\n",
    "nova/__init__.py": b"",
    "api-ref/source/index.rst": b"Compute API\n===========\n\n.. include:: servers.inc\n",
    "api-ref/source/parameters.yaml": b"server_id:\n  in: path\n  required: true\n  type: string\n",
    "api-ref/source/servers.inc": b".. rest_method:: GET /servers\n",
    "api-ref/source/flavors.inc": b".. rest_method:: GET /flavors\n",
    "api-ref/source/images/diagram.svg": b"<svg/>",
    "doc/api_samples/servers/server-get-resp.json": b'{"server": {}}\n',
    "doc/source/index.rst": b"not api-ref\n",
}

Member = Callable[[tarfile.TarFile], None]


def build_sdist(files: dict[str, bytes] = SDIST_FILES, extra: tuple[Member, ...] = (), top: str = TOP) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        for name, data in files.items():
            info = tarfile.TarInfo(f"{top}/{name}")
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
        for add in extra:
            add(tar)
    return buffer.getvalue()


def link(name: str, target: str, kind: bytes = tarfile.SYMTYPE) -> Member:
    def add(tar: tarfile.TarFile) -> None:
        info = tarfile.TarInfo(name)
        info.type = kind
        info.linkname = target
        tar.addfile(info)

    return add


def plain(name: str, kind: bytes = tarfile.REGTYPE) -> Member:
    def add(tar: tarfile.TarFile) -> None:
        info = tarfile.TarInfo(name)
        info.type = kind
        tar.addfile(info, io.BytesIO(b"") if kind == tarfile.REGTYPE else None)

    return add


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@dataclass
class Index:
    """A package index on 127.0.0.1: routes map a URL path to (content type, body, status)."""

    url: str = ""
    routes: dict[str, tuple[str, bytes, int]] = field(default_factory=dict)
    requests: list[tuple[str, dict[str, str]]] = field(default_factory=list)
    stop: Callable[[], None] = lambda: None

    def publish(self, archive: bytes, advertised: str | None = "same", file_url: str | None = None) -> None:
        """List FILENAME at /simple/nova/ and serve it at /files/FILENAME."""
        digest = sha256(archive) if advertised == "same" else advertised
        entry: dict[str, object] = {"filename": FILENAME, "url": file_url or f"{self.url}/files/{FILENAME}"}
        entry["hashes"] = {"sha256": digest} if digest else {}
        listing = {"meta": {"api-version": "1.1"}, "name": "nova", "files": [entry]}
        self.routes["/simple/nova/"] = (SIMPLE_JSON, json.dumps(listing).encode(), 200)
        self.routes[f"/files/{FILENAME}"] = ("application/octet-stream", archive, 200)

    def paths(self) -> list[str]:
        return [path for path, _ in self.requests]


@pytest.fixture
def index(monkeypatch: pytest.MonkeyPatch) -> Iterator[Index]:
    served = Index()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            served.requests.append((self.path, dict(self.headers)))
            content_type, body, status = served.routes.get(self.path, ("text/plain", b"not found", 404))
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
    thread.start()
    stopped = False

    def stop() -> None:
        nonlocal stopped
        if not stopped:
            stopped = True
            server.shutdown()
            server.server_close()
            thread.join()

    served.url = f"http://127.0.0.1:{server.server_address[1]}"
    served.stop = stop
    monkeypatch.setenv("CONFORMANCE_INDEX_URL", f"{served.url}/simple")
    yield served
    stop()


def pin(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, digest: str, version: str = "1.0") -> None:
    pins = tmp_path / "pins.json"
    pins.write_text(json.dumps({"nova": {version: {"filename": FILENAME, "sha256": digest}}}))
    monkeypatch.setattr(sources, "PINS_FILE", pins)


@pytest.fixture
def cache(tmp_path: Path) -> Path:
    return tmp_path / "cache"


def fetch(cache: Path, messages: list[str] | None = None, offline: bool = False) -> sources.ApiRefSource:
    sink = messages.append if messages is not None else (lambda message: None)
    return sources.release("nova", "1.0", cache_dir=cache, offline=offline, progress=sink)


def listing(folder: Path) -> list[str]:
    return sorted(path.relative_to(folder).as_posix() for path in folder.rglob("*")) if folder.exists() else []


# --- releases ---------------------------------------------------------------


def test_release_downloads_verifies_extracts_and_marks(
    index: Index, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, cache: Path
) -> None:
    archive = build_sdist()
    index.publish(archive)
    pin(monkeypatch, tmp_path, sha256(archive))
    messages: list[str] = []

    source = fetch(cache, messages)

    assert source.root == cache / "nova-1.0" / "api-ref" / "source"
    assert (source.origin, source.sha256, source.service) == ("nova==1.0", sha256(archive), "compute")
    assert [path.name for path in source.inc_files()] == ["flavors.inc", "servers.inc"]
    assert source.parameters_file().read_text().startswith("server_id:")
    # Only api-ref/source and doc/api_samples are extracted, top folder stripped, marker beside them.
    assert listing(cache) == [
        "nova-1.0",
        "nova-1.0/.conformance-complete.json",
        "nova-1.0/api-ref",
        "nova-1.0/api-ref/source",
        "nova-1.0/api-ref/source/flavors.inc",
        "nova-1.0/api-ref/source/images",
        "nova-1.0/api-ref/source/images/diagram.svg",
        "nova-1.0/api-ref/source/index.rst",
        "nova-1.0/api-ref/source/parameters.yaml",
        "nova-1.0/api-ref/source/servers.inc",
        "nova-1.0/doc",
        "nova-1.0/doc/api_samples",
        "nova-1.0/doc/api_samples/servers",
        "nova-1.0/doc/api_samples/servers/server-get-resp.json",
    ]
    marker = json.loads((cache / "nova-1.0" / sources.MARKER).read_text())
    assert marker["sha256"] == sha256(archive)
    assert marker["files"] == 6
    assert index.paths() == ["/simple/nova/", f"/files/{FILENAME}"]
    assert index.requests[0][1]["Accept"] == SIMPLE_JSON
    assert messages[0] == f"downloading {index.url}/files/{FILENAME} ({len(archive) / 1024:.1f} KiB)"
    assert messages[-1].startswith("extracted 6 api-ref files of nova-1.0.tar.gz into ")


def test_release_is_reused_offline_without_any_request(
    index: Index, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, cache: Path
) -> None:
    archive = build_sdist()
    index.publish(archive)
    pin(monkeypatch, tmp_path, sha256(archive))
    first = fetch(cache)
    index.stop()

    def no_network(*args: object, **kwargs: object) -> None:
        raise AssertionError("the network was used although the cache is complete")

    monkeypatch.setattr(requests, "get", no_network)
    assert fetch(cache) == first
    assert fetch(cache, offline=True) == first
    assert len(index.requests) == 2


def test_offline_without_cache_is_a_source_error(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, cache: Path) -> None:
    pin(monkeypatch, tmp_path, "0" * 64)
    with pytest.raises(SourceError, match=r"nova==1.0 is not in the cache at .*offline mode forbids downloading it"):
        fetch(cache, offline=True)


def test_download_with_wrong_hash_is_deleted_and_nothing_cached(
    index: Index, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, cache: Path
) -> None:
    archive = build_sdist()
    pinned = sha256(b"another archive")
    index.publish(archive, advertised=None)  # the index states no hash: only the pin guards
    pin(monkeypatch, tmp_path, pinned)

    with pytest.raises(IntegrityError) as caught:
        fetch(cache)

    assert sha256(archive) in str(caught.value)
    assert pinned in str(caught.value)
    assert "deleted" in str(caught.value)
    assert listing(cache) == []


def test_index_advertising_another_hash_stops_before_download(
    index: Index, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, cache: Path
) -> None:
    archive = build_sdist()
    index.publish(archive, advertised="ab" * 32)
    pin(monkeypatch, tmp_path, sha256(archive))

    with pytest.raises(IntegrityError, match=f"sha256 {'ab' * 32}.*pins {sha256(archive)}"):
        fetch(cache)
    assert index.paths() == ["/simple/nova/"]
    assert listing(cache) == []


def test_relative_file_url_is_resolved_against_the_index_page(
    index: Index, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, cache: Path
) -> None:
    archive = build_sdist()
    index.publish(archive, file_url=f"../../files/{FILENAME}")
    pin(monkeypatch, tmp_path, sha256(archive))
    assert fetch(cache).sha256 == sha256(archive)
    assert index.paths()[-1] == f"/files/{FILENAME}"


def test_large_download_reports_progress(
    index: Index, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, cache: Path
) -> None:
    files = {**SDIST_FILES, "doc/api_samples/big.json": os.urandom(3 << 20)}  # random: gzip cannot shrink it
    archive = build_sdist(files)
    index.publish(archive)
    pin(monkeypatch, tmp_path, sha256(archive))
    messages: list[str] = []
    fetch(cache, messages)
    percentages = [message for message in messages if "%" in message]
    assert 5 <= len(percentages) <= 10
    assert percentages[-1].startswith(f"  {FILENAME}: 100% (")
    assert "MiB)" in messages[0]


def test_marker_missing_means_interrupted_and_is_redone(
    index: Index, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, cache: Path
) -> None:
    archive = build_sdist()
    index.publish(archive)
    pin(monkeypatch, tmp_path, sha256(archive))
    half = cache / "nova-1.0" / "api-ref" / "source"
    half.mkdir(parents=True)
    (half / "parameters.yaml").write_text("truncated")
    (half / "leftover.inc").write_text("from a killed run")

    source = fetch(cache)

    assert len(index.requests) == 2
    assert [path.name for path in source.inc_files()] == ["flavors.inc", "servers.inc"]
    assert source.parameters_file().read_text().startswith("server_id:")
    assert (cache / "nova-1.0" / sources.MARKER).is_file()
    assert [path.name for path in cache.iterdir()] == ["nova-1.0"]


def test_marker_of_another_archive_is_redone(
    index: Index, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, cache: Path
) -> None:
    archive = build_sdist()
    index.publish(archive)
    pin(monkeypatch, tmp_path, sha256(archive))
    fetch(cache)
    marker = cache / "nova-1.0" / sources.MARKER
    marker.write_text(json.dumps({"sha256": "0" * 64}))
    fetch(cache)
    assert len(index.requests) == 4
    assert json.loads(marker.read_text())["sha256"] == sha256(archive)


def test_failure_before_rename_leaves_no_tree_and_the_next_run_succeeds(
    index: Index, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, cache: Path
) -> None:
    archive = build_sdist()
    index.publish(archive)
    pin(monkeypatch, tmp_path, sha256(archive))

    def crash(tree: Path, target: Path, digest: str) -> None:
        assert (tree / sources.MARKER).is_file()  # complete, but not yet in place
        raise KeyboardInterrupt

    with monkeypatch.context() as patch:
        patch.setattr(archive_module, "_replace", crash)
        with pytest.raises(KeyboardInterrupt):
            fetch(cache)
    assert listing(cache) == []
    assert fetch(cache).inc_files()


def test_stale_temporaries_of_a_killed_run_are_swept(
    index: Index, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, cache: Path
) -> None:
    archive = build_sdist()
    index.publish(archive)
    pin(monkeypatch, tmp_path, sha256(archive))
    old, fresh = cache / ".nova-1.0-old.partial", cache / ".nova-1.0-live.download"
    (old / "api-ref").mkdir(parents=True)
    fresh.parent.mkdir(exist_ok=True)
    fresh.write_bytes(b"another run is downloading")
    hours_ago = time.time() - 2 * 3600
    os.utime(old, (hours_ago, hours_ago))
    fetch(cache)
    assert sorted(path.name for path in cache.iterdir()) == [fresh.name, "nova-1.0"]


@pytest.mark.parametrize(
    ("member", "reason"),
    [
        (plain(f"/{TOP}/api-ref/source/evil.inc"), "absolute path"),
        (plain(f"{TOP}/api-ref/source/../../../../evil.inc"), "'..' in its path"),
        (plain("../outside.txt"), "'..' in its path"),  # unsafe anywhere in the archive
        (link(f"{TOP}/api-ref/source/passwd.inc", "/etc/passwd"), "absolute link target"),
        (link(f"{TOP}/api-ref/source/up.inc", "../../../../../etc/passwd"), "leaves the extracted api-ref"),
        (link(f"{TOP}/doc/api_samples/code.py", "../../nova/__init__.py"), "leaves the extracted api-ref"),
        (link(f"{TOP}/api-ref/source/hard.inc", f"{TOP}/setup.py", tarfile.LNKTYPE), "leaves the extracted api-ref"),
        (plain(f"{TOP}/api-ref/source/fifo.inc", tarfile.FIFOTYPE), "not a file, folder or link"),
        (plain(f"{TOP}/api-ref/source/null", tarfile.CHRTYPE), "not a file, folder or link"),
    ],
)
def test_unsafe_members_are_refused_and_nothing_cached(
    index: Index, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, cache: Path, member: Member, reason: str
) -> None:
    archive = build_sdist(extra=(member,))
    index.publish(archive)
    pin(monkeypatch, tmp_path, sha256(archive))
    with pytest.raises(SourceError, match=f"refusing .*{reason}"):
        fetch(cache)
    assert listing(cache) == []
    assert not (tmp_path / "evil.inc").exists()


def test_links_inside_the_api_ref_are_kept(
    index: Index, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, cache: Path
) -> None:
    archive = build_sdist(
        extra=(
            link(f"{TOP}/api-ref/source/alias.inc", "servers.inc"),
            link(f"{TOP}/doc/api_samples/servers/copy.json", f"{TOP}/api-ref/source/servers.inc", tarfile.LNKTYPE),
        )
    )
    index.publish(archive)
    pin(monkeypatch, tmp_path, sha256(archive))
    source = fetch(cache)
    assert (source.root / "alias.inc").read_text() == ".. rest_method:: GET /servers\n"
    assert (source.repo_root / "doc/api_samples/servers/copy.json").read_text().startswith(".. rest_method")


def test_archive_without_api_ref_is_refused(
    index: Index, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, cache: Path
) -> None:
    archive = build_sdist({"setup.py": b"", "doc/api_samples/x.json": b"{}"})
    index.publish(archive)
    pin(monkeypatch, tmp_path, sha256(archive))
    with pytest.raises(SourceError, match=r"api-ref/source is not an api-ref source directory: it has no \*\.inc"):
        fetch(cache)
    assert listing(cache) == []


def test_unreachable_index_names_the_url_and_the_empty_cache(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, cache: Path, index: Index
) -> None:
    index.stop()  # a port nobody listens on any more
    pin(monkeypatch, tmp_path, "0" * 64)
    with pytest.raises(SourceError, match=f"could not fetch {index.url}/simple/nova/: .*has no complete copy"):
        fetch(cache)


@pytest.mark.parametrize(
    ("route", "message"),
    [
        (None, "404 Client Error"),
        (("text/html", b"<html></html>", 200), "did not answer with the PEP 691 JSON simple API"),
        ((SIMPLE_JSON, b'{"files": [{"filename": "nova-2.0.tar.gz"}]}', 200), f"{FILENAME} is not listed at "),
        ((SIMPLE_JSON, b'{"files": [{"filename": "nova-1.0.tar.gz"}]}', 200), "without a URL"),
    ],
)
def test_bad_index_answers_are_source_errors(
    index: Index,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    cache: Path,
    route: tuple[str, bytes, int] | None,
    message: str,
) -> None:
    if route is not None:
        index.routes["/simple/nova/"] = route
    pin(monkeypatch, tmp_path, "0" * 64)
    with pytest.raises(SourceError, match=message):
        fetch(cache)
    assert listing(cache) == []


def test_failed_file_download_names_the_file_url(
    index: Index, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, cache: Path
) -> None:
    archive = build_sdist()
    index.publish(archive)
    index.routes[f"/files/{FILENAME}"] = ("text/plain", b"oops", 500)
    pin(monkeypatch, tmp_path, sha256(archive))
    with pytest.raises(SourceError, match=f"could not fetch {index.url}/files/{FILENAME}: 500 Server Error"):
        fetch(cache)
    assert listing(cache) == []


def test_unpinned_version_lists_the_pins_in_version_order() -> None:
    with pytest.raises(VersionError) as caught:
        sources.release("nova", "17.0.0", cache_dir=Path("/nonexistent"))
    assert str(caught.value) == "nova 17.0.0 is not pinned; pinned: 17.0.7, 17.0.13, 34.0.0"


def test_unpinned_package_is_a_version_error() -> None:
    with pytest.raises(VersionError, match="ironic has no pinned releases; pinned packages: cinder, glance, "
                       "keystone, neutron-lib, nova, openstack-placement"):
        sources.release("ironic", "1.0", cache_dir=Path("/nonexistent"))
    with pytest.raises(VersionError, match=r"cinder 1\.0 is not pinned; pinned: 29\.0\.0"):
        sources.release("cinder", "1.0", cache_dir=Path("/nonexistent"))


def test_recorded_pins_are_well_formed() -> None:
    pins = sources.load_pins()["nova"]
    assert pins["34.0.0"] == sources.Pin(
        "nova-34.0.0.tar.gz", "919eef77cda4ce0cc4746a5853b5d9341ebd0ae37bc8b1939eb77d17727c00df"
    )
    for version, recorded in pins.items():
        assert recorded.filename == f"nova-{version}.tar.gz"
        assert len(recorded.sha256) == 64
        int(recorded.sha256, 16)


def test_malformed_pins_file_is_a_source_error(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    pins = tmp_path / "pins.json"
    pins.write_text('{"nova": {"1.0": {"sha256": "00"}}}')
    monkeypatch.setattr(sources, "PINS_FILE", pins)
    with pytest.raises(SourceError, match="cannot read the release pins"):
        sources.load_pins()


# --- the cache folder ---------------------------------------------------------


def test_cache_root_follows_the_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.delenv("CONFORMANCE_CACHE_DIR", raising=False)
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    assert sources.cache_root() == tmp_path / "home" / ".cache" / "conformance" / "apiref"
    monkeypatch.setenv("XDG_CACHE_HOME", "relative/is/ignored")
    assert sources.cache_root() == tmp_path / "home" / ".cache" / "conformance" / "apiref"
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert sources.cache_root() == tmp_path / "xdg" / "conformance" / "apiref"
    monkeypatch.setenv("CONFORMANCE_CACHE_DIR", str(tmp_path / "mine"))
    assert sources.cache_root() == tmp_path / "mine" / "apiref"


# --- local folders ------------------------------------------------------------


@pytest.fixture
def checkout(tmp_path: Path) -> Path:
    """A repository with api-ref/source and doc/api_samples, as in a nova checkout."""
    for name, data in SDIST_FILES.items():
        path = tmp_path / "nova" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    return tmp_path / "nova"


def test_local_directory(checkout: Path) -> None:
    source = sources.local(str(checkout / "api-ref" / "source"), service="image")
    assert source.origin == str(checkout / "api-ref" / "source")
    assert (source.sha256, source.service) == (None, "image")
    assert source.root == (checkout / "api-ref" / "source").resolve()
    assert [path.name for path in source.inc_files()] == ["flavors.inc", "servers.inc"]
    assert source.parameters_file() == source.root / "parameters.yaml"
    servers = source.inc_files()[1]
    assert source.relative(servers) == "servers.inc"
    sample = source.resolve_include("../../doc/api_samples/servers/server-get-resp.json", servers)
    assert sample == source.repo_root / "doc" / "api_samples" / "servers" / "server-get-resp.json"
    assert sample.is_file()
    assert source.relative(sample) == "doc/api_samples/servers/server-get-resp.json"
    assert source.resolve_include("/images/diagram.svg", servers) == source.root / "images" / "diagram.svg"
    assert source.resolve_include("missing.json", Path("servers.inc")) == source.root / "missing.json"
    assert source.relative(Path("/elsewhere/x.json")) == "/elsewhere/x.json"


@given(st.lists(st.from_regex(r"[A-Za-z0-9_-][A-Za-z0-9_.-]{0,12}", fullmatch=True), min_size=1, max_size=4))
def test_sample_includes_round_trip_to_repo_relative_names(parts: list[str]) -> None:
    source = sources.ApiRefSource(root=Path("/repo/api-ref/source"), origin="x", sha256=None, service="compute")
    sample = "/".join(["doc", "api_samples", *parts])
    resolved = source.resolve_include(f"../../{sample}", source.root / "servers.inc")
    assert source.relative(resolved) == os.path.normpath(sample)


def test_local_directory_errors(checkout: Path) -> None:
    with pytest.raises(SourceError, match=r"api-ref directory .*/absent does not exist"):
        sources.local(checkout / "absent")
    with pytest.raises(SourceError, match=r"setup\.py is not a directory"):
        sources.local(checkout / "setup.py")
    with pytest.raises(SourceError, match=r"has no \*\.inc file \(did you mean .*/nova/api-ref/source\?\)"):
        sources.local(checkout)
    with pytest.raises(SourceError, match=r"has no \*\.inc file$"):
        sources.local(checkout / "doc")
    for inc in (checkout / "api-ref" / "source").glob("*.inc"):
        inc.unlink()
    with pytest.raises(SourceError, match=r"has no \*.inc file"):
        sources.local(checkout / "api-ref" / "source")


def test_parameters_file_removed_later_is_a_source_error(checkout: Path) -> None:
    source = sources.local(checkout / "api-ref" / "source")
    (source.root / "parameters.yaml").unlink()
    with pytest.raises(SourceError, match=r"no parameters\.yaml in"):
        source.parameters_file()


# --- the real thing -------------------------------------------------------------


@pytest.mark.network
def test_real_nova_34_0_0_into_the_user_cache() -> None:
    source = sources.release("nova", "34.0.0")
    assert source.origin == "nova==34.0.0"
    assert source.sha256 == "919eef77cda4ce0cc4746a5853b5d9341ebd0ae37bc8b1939eb77d17727c00df"
    assert len(source.inc_files()) == 67
    assert source.parameters_file().is_file()
    sample = source.repo_root / "doc/api_samples/server-migrations/v2.80/migrations-index.json"
    assert sample.is_file()
    assert source.relative(sample) == "doc/api_samples/server-migrations/v2.80/migrations-index.json"
    assert sources.release("nova", "34.0.0", offline=True) == source


def test_a_copy_completed_meanwhile_by_another_run_is_kept(
    index: Index, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, cache: Path
) -> None:
    archive = build_sdist()
    index.publish(archive)
    pin(monkeypatch, tmp_path, sha256(archive))
    first = fetch(cache)
    inode = (first.root / "servers.inc").stat().st_ino
    real_is_complete = sources._is_complete
    looks: list[Path] = []

    def racing(target: Path, digest: str) -> bool:
        # The first look says "missing", as if another run was still extracting then.
        looks.append(target)
        return len(looks) > 1 and real_is_complete(target, digest)

    monkeypatch.setattr(sources, "_is_complete", racing)
    assert fetch(cache) == first
    assert len(index.requests) == 4
    assert (first.root / "servers.inc").stat().st_ino == inode
    assert [path.name for path in cache.iterdir()] == ["nova-1.0"]


def test_a_service_release_keeps_its_api_ref_folder_and_what_its_entry_extracts(
    index: Index, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, cache: Path
) -> None:
    # block-storage: cinder's api-ref is api-ref/source/v3, its status file one level up, samples beside the .inc.
    files = {
        "PKG-INFO": b"Name: cinder\nVersion: 9.0\n",
        "api-ref/source/status.yaml": b"200:\n  default: OK\n",
        "api-ref/source/v3/index.rst": b".. include:: volumes.inc\n",
        "api-ref/source/v3/volumes.inc": b".. rest_method:: GET /v3/{project_id}/volumes\n",
        "api-ref/source/v3/samples/volumes-list-response.json": b'{"volumes": []}\n',
        "doc/api_samples/stray.json": b"{}\n",
        "cinder/__init__.py": b"",
    }
    archive = build_sdist(files, top="cinder-9.0")
    listing_page = {"files": [{"filename": "cinder-9.0.tar.gz", "url": f"{index.url}/files/cinder-9.0.tar.gz",
                               "hashes": {"sha256": sha256(archive)}}]}
    index.routes["/simple/cinder/"] = (SIMPLE_JSON, json.dumps(listing_page).encode(), 200)
    index.routes["/files/cinder-9.0.tar.gz"] = ("application/octet-stream", archive, 200)
    pins = tmp_path / "pins.json"
    pins.write_text(json.dumps({"cinder": {"9.0": {"filename": "cinder-9.0.tar.gz", "sha256": sha256(archive)}}}))
    monkeypatch.setattr(sources, "PINS_FILE", pins)

    source = sources.for_service("block-storage", "9.0", cache_dir=cache, progress=lambda message: None)

    assert (source.service, source.origin) == ("block-storage", "cinder==9.0")
    assert source.root == cache / "cinder-9.0" / "api-ref" / "source" / "v3"
    assert source.repo_root == cache / "cinder-9.0"
    assert [path.name for path in source.inc_files()] == ["volumes.inc"]
    # services.toml extracts only api-ref/ for cinder: no doc/api_samples, no code.
    assert [p for p in listing(cache) if p.endswith((".json", ".yaml", ".inc", ".py", ".rst"))] == [
        "cinder-9.0/.conformance-complete.json",
        "cinder-9.0/api-ref/source/status.yaml",
        "cinder-9.0/api-ref/source/v3/index.rst",
        "cinder-9.0/api-ref/source/v3/samples/volumes-list-response.json",
        "cinder-9.0/api-ref/source/v3/volumes.inc",
    ]
    assert source.relative(source.root.parent / "status.yaml") == "api-ref/source/status.yaml"
