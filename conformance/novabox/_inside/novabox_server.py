# mypy: disallow-subclassing-any=False
"""nova-box server: real Nova 34 in one process, served over real HTTP.

Run by file path with the nova venv's python (it never imports ``conformance``,
which is not installed there)::

    <venv>/bin/python novabox_server.py --port 0 [--placement-port 0] [--state-file F] [--workdir D]
        [--migration-seconds S] [--seed N]

It builds the Nova stack exactly as nova's functional tests do, by running the
``setUp`` of a subclass of ``nova.tests.functional.integrated_helpers.
_IntegratedTestBase`` (API and cell sqlite databases, conductor, scheduler,
placement, fake neutron/glance/cinder, nova's default policy) with two compute
hosts on :mod:`novabox_driver`. Instead of the test's wsgi-intercept it serves
``loadapp('osapi_compute')`` from nova's own api-paste.ini on 127.0.0.1, with
keystonemiddleware's ``authtoken`` replaced by :mod:`novabox_auth`.

Placement, the one nova uses, is served on a second port (``--placement-port``) behind the
same token filter; its root is the ready line's ``placement_url``.

When ready it prints one JSON line on stdout (url, placement_url, tokens, ids...) and writes the
same to ``--state-file``. SIGTERM/SIGINT stop it and remove its working directory.
Everything else nova says goes to ``<workdir>/nova.log``; progress lines go to
stderr prefixed ``nova-box:``.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import signal
import socketserver
import sys
import tempfile
import threading
import time
import traceback
import urllib.error
import urllib.request
from typing import Any
from wsgiref import simple_server

os.environ["OS_NOVA_DISABLE_EVENTLET_PATCHING"] = "1"
os.environ.setdefault("OS_LOG_CAPTURE", "0")
os.environ.setdefault("OS_STDOUT_CAPTURE", "0")
os.environ.setdefault("OS_STDERR_CAPTURE", "0")

NOVA_VERSION = "34.0.0"
HOSTS = ("host1", "host2")
#: Instances (and cores) each project may use; nova's 10 (and 20) run out when suites share the box.
QUOTA_INSTANCES = 100
#: Upper bound on stopping nova's services at exit; the process exits regardless.
CLEANUP_SECONDS = 5.0
_ERR = sys.stderr


def say(message: str) -> None:
    """A progress line for the user (stderr), never containing tokens."""
    print(f"nova-box: {message}", file=_ERR, flush=True)


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="novabox_server.py", description=__doc__.split("\n")[0])
    parser.add_argument("--port", type=int, default=0, help="TCP port on 127.0.0.1 (0: a free one)")
    parser.add_argument(
        "--placement-port", type=int, default=0, help="TCP port on 127.0.0.1 for Placement (0: a free one)"
    )
    parser.add_argument("--state-file", default=None, help="also write the ready JSON here")
    parser.add_argument("--workdir", default=None, help="working directory (created if missing, removed at stop)")
    parser.add_argument(
        "--migration-seconds", type=float, default=3600.0, help="a live migration completes by itself after this"
    )
    parser.add_argument("--seed", type=int, default=1, help="servers seeded with a running live migration")
    parser.add_argument("--watch-stdin", action="store_true", help="stop when stdin closes (the parent died)")
    return parser.parse_args(argv)


# --------------------------------------------------------------------------- HTTP


class _ThreadingWSGIServer(socketserver.ThreadingMixIn, simple_server.WSGIServer):
    daemon_threads = True
    allow_reuse_address = False


class _QuietHandler(simple_server.WSGIRequestHandler):
    """Logs requests to nova's log, not stderr; never logs headers (tokens)."""

    def log_message(self, format: str, *args: Any) -> None:
        import logging

        logging.getLogger("novabox.http").info("%s %s", self.address_string(), format % args)


# --------------------------------------------------------------------------- client for seeding


class _Client:
    """Minimal JSON client used to seed through the public API, like a user would."""

    def __init__(self, base: str, token: str) -> None:
        self.base = base.rstrip("/")
        self.token = token

    def call(self, method: str, path: str, body: Any = None, version: str = "2.1") -> tuple[int, Any]:
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(self.base + path, data=data, method=method)
        req.add_header("X-Auth-Token", self.token)
        req.add_header("OpenStack-API-Version", f"compute {version}")
        req.add_header("Accept", "application/json")
        if data is not None:
            req.add_header("Content-Type", "application/json")
        try:
            with urllib.request.urlopen(req, timeout=60) as resp:
                raw = resp.read()
                return resp.status, (json.loads(raw) if raw else None)
        except urllib.error.HTTPError as exc:
            raw = exc.read()
            try:
                return exc.code, json.loads(raw)
            except ValueError:
                return exc.code, raw.decode(errors="replace")


def _wait(what: str, check: Any, timeout: float = 60.0) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = check()
        if result:
            return result
        time.sleep(0.1)
    raise RuntimeError(f"timed out after {timeout:.0f}s waiting for {what}")


# --------------------------------------------------------------------------- the box


def _databases_as_deployed() -> None:
    """Pooled database connections, as a deployment has them, instead of one new sqlite connection per session.

    nova's functional fixtures keep each database in a WAL sqlite file, which oslo.db opens with
    ``NullPool``: every session connects anew (and registers its sqlite functions again), and every
    connection given back sleeps ``time.sleep(0)`` so that eventlet may switch green threads. nova-box
    runs in threads, where that sleep only hands the GIL to another thread and waits to get it back. A
    pool of connections shared across threads (sqlite3's ``check_same_thread=False``; writers are still
    serialised per database by nova's ``DatabaseWriteLock``) and no yield give the same answers, sooner:
    the server actions' tests took 62.0 s instead of 70.6 s.
    """
    from oslo_db.sqlalchemy import engines
    from sqlalchemy import pool

    engines._thread_yield = lambda dbapi_con, con_record: None

    def pooled(url: Any, engine_args: dict[str, Any], kw: dict[str, Any]) -> None:
        if engine_args.get("poolclass") is pool.NullPool:  # oslo.db's choice for a sqlite file, just made
            engine_args.update(poolclass=pool.QueuePool, pool_size=8, max_overflow=56, pool_timeout=60,
                               pool_pre_ping=False)  # a local file never drops a connection
            engine_args["connect_args"]["check_same_thread"] = False

    # oslo.db calls every function registered for the dialect, in order: ours after its own.
    engines._init_connection_args.reg["sqlite"]["*"].append(pooled)


def build_box(args: argparse.Namespace, workdir: str) -> Any:
    """Import nova and return a started stack (the test case whose setUp ran)."""
    import importlib

    # Must come first (a call, so import sorting cannot move it): importing
    # nova.tests.functional runs nova.monkey_patch.patch(), which refuses to
    # run in threading mode once anything (keystonemiddleware...) loaded eventlet.
    importlib.import_module("nova.tests.functional")
    _databases_as_deployed()

    import logging

    import fixtures
    import futurist._thread
    import keystonemiddleware.auth_token
    import novabox_driver
    from nova import conf as nova_conf
    from nova.tests.functional import integrated_helpers

    novabox_driver.MIGRATION_SECONDS = args.migration_seconds
    # nova loads drivers only from under nova.virt: register ours there.
    import nova.virt

    sys.modules["nova.virt.novabox_driver"] = novabox_driver
    nova.virt.novabox_driver = novabox_driver
    max_idle_for = futurist._thread.ThreadWorker.MAX_IDLE_FOR
    CONF = nova_conf.CONF

    class NovaBox(integrated_helpers._IntegratedTestBase):
        """Nova's functional-test stack, kept running instead of tested."""

        REQUIRES_LOCKING = True  # a lock_path for oslo.concurrency in a TempDir
        CAST_AS_CALL = False  # real casts: os-migrateLive must return while migrating
        ADMIN_API = True

        def runTest(self) -> None:  # pragma: no cover - never run as a test
            pass

        def _setup_compute_service(self) -> Any:
            self.flags(compute_driver="novabox_driver.BoxLiveMigrateDriver")
            self.flags(max_concurrent_live_migrations=50)
            self.flags(api_paste_config=_api_paste_ini(), group="wsgi")
            first = None
            for host in HOSTS:
                compute = self._start_compute(host)
                first = first or compute
            return first

        def _setup_services(self) -> None:
            # Like _IntegratedTestBase._setup_services but without OSAPIFixture:
            # the API is served over real HTTP by serve() below.
            self.flags(instances=QUOTA_INSTANCES, cores=QUOTA_INSTANCES, group="quota")
            # A deployment's default: nova's test ConfFixture makes a response that fails nova's own
            # response schema an error (GET /os-instance_usage_audit_log answered 400 for that reason),
            # which no production cloud does.
            self.flags(response_validation="warn", group="api")
            # Shelved servers stay SHELVED until shelveOffload (nova's default 0 offloads at once, so that
            # shelveOffload could never be exercised); both are valid configurations the api-ref describes.
            self.flags(shelved_offload_time=-1)
            # No Keystone here: project ids in os-quota-sets are taken as they come, as nova does when
            # it cannot reach Keystone's v3 endpoint (identity.verify_project_id's ClientException case).
            self.useFixture(fixtures.MockPatch("nova.api.openstack.identity.verify_project_id", return_value=True))
            if "cell1" in self.cell_mappings:
                self.flags(transport_url=self.cell_mappings["cell1"].transport_url)
            self.conductor = self._setup_conductor_service()
            self.addCleanup(self.conductor.stop)
            self.scheduler = self._setup_scheduler_service()
            self.addCleanup(self.scheduler.stop)
            self.compute = self._setup_compute_service()
            self.addCleanup(self._stop_computes)

    _cells_as_deployed()
    box = NovaBox()
    box.setUp()
    import novabox_services

    novabox_services.extend(box)

    # nova's test base sets 0.01 s, which spins idle worker threads (half a core).
    futurist._thread.ThreadWorker.MAX_IDLE_FOR = max_idle_for
    # Warnings are not errors here (SQLAlchemy and others warn harmlessly).
    import warnings

    warnings.resetwarnings()
    warnings.simplefilter("ignore")
    # Log to a file at INFO instead of nova's in-memory capture at DEBUG.
    root = logging.getLogger()
    for handler in list(root.handlers):
        root.removeHandler(handler)
    file_handler = logging.FileHandler(os.path.join(workdir, "nova.log"))
    file_handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s [%(name)s] %(message)s"))
    root.addHandler(file_handler)
    root.setLevel(logging.INFO)
    CONF.set_override("debug", False)
    box._novabox_keystone = keystonemiddleware.auth_token
    return box


def _cells_as_deployed() -> None:
    """Cell databases as a deployment has them, not as nova's CellDatabases test fixture switches them.

    The fixture points one global "last targeted" database at the cell a thread targets, guarded by a
    reader-writer lock held for the whole ``with target_cell(...)`` block. Under the suites' load a read lock
    was left held by a block that never ended, and every request then waited on it forever (seen: POST
    /servers, GET /servers and the scheduler's select_destinations all blocked in
    ``CellDatabases._wrap_target_cell``). In a deployment the targeted context carries its cell's database
    and untargeted code uses the service's own (here cell1, where the computes are): that is all this keeps,
    with no global state to lock.
    """
    from nova.tests import fixtures as nova_fixtures

    @contextlib.contextmanager
    def target_cell(self: Any, context: Any, cell_mapping: Any) -> Any:
        with self._real_target_cell(context, cell_mapping) as targeted:
            yield targeted

    def get_context_manager(self: Any, context: Any) -> Any:
        connection = getattr(context, "db_connection", None)
        return connection if connection else self._default_ctxt_mgr

    nova_fixtures.CellDatabases._wrap_target_cell = target_cell
    nova_fixtures.CellDatabases._wrap_get_context_manager = get_context_manager


def _api_paste_ini() -> str:
    """nova's own api-paste.ini, installed by the wheel as data under the venv."""
    path = os.path.join(sys.prefix, "etc", "nova", "api-paste.ini")
    if not os.path.exists(path):
        raise RuntimeError(f"nova's api-paste.ini is missing at {path}: the nova venv is incomplete")
    return path


def load_app(box: Any, by_token: dict[str, Any], www_authenticate_uri: str) -> Any:
    """nova's osapi_compute WSGI app from its api-paste.ini, authtoken replaced."""
    import keystonemiddleware.auth_token
    import novabox_auth
    from nova import conf as nova_conf
    from nova.api import wsgi as nova_wsgi
    from nova.api.openstack import wsgi_app

    keystonemiddleware.auth_token.filter_factory = novabox_auth.filter_factory(by_token, www_authenticate_uri)
    wsgi_app._setup_service(nova_conf.CONF.host, "osapi_compute")
    return nova_wsgi.Loader().load_app("osapi_compute")


def load_placement_app(box: Any, by_token: dict[str, Any], www_authenticate_uri: str) -> Any:
    """The Placement nova itself uses (same configuration, same database), behind the token filter.

    nova's PlacementFixture serves placement to nova through a wsgi-intercept; this builds the same
    pipeline again from the fixture's configuration (placement's own ``deploy``), so what nova does
    (servers, migrations) shows up as allocations and usages here.
    """
    import novabox_auth
    from placement import deploy

    fixture = box.placement.fixture
    return novabox_auth.placement_filter(deploy.deploy(fixture.conf_fixture.conf), by_token, www_authenticate_uri)


def _clear_notifications(box: Any, stop: threading.Event) -> None:
    """nova's NotificationFixture keeps every notification in memory: drop them."""
    while not stop.wait(30.0):
        with contextlib.suppress(Exception):  # best effort
            box.notifier.reset()


def seed(base: str, tokens: dict[str, str], count: int, ids: dict[str, str]) -> list[dict[str, str]]:
    """Create ``count`` member-owned servers, each with a running live migration."""
    member = _Client(base, tokens["member"])
    admin = _Client(base, tokens["admin"])
    seeded = []
    for n in range(count):
        status, body = member.call(
            "POST",
            "/servers",
            {
                "server": {
                    "name": f"novabox-seed-{n}",
                    "imageRef": ids["image"],
                    "flavorRef": ids["flavor"],
                    "networks": [{"uuid": ids["network"]}],
                }
            },
        )
        if status != 202:
            raise RuntimeError(f"seeding: POST /servers answered {status}: {body}")
        server_id = body["server"]["id"]

        def active(server_id: str = server_id) -> bool:
            st, srv = member.call("GET", f"/servers/{server_id}")
            if st == 200 and srv["server"]["status"] == "ERROR":
                raise RuntimeError(f"seeding: server {server_id} went to ERROR: {srv['server'].get('fault')}")
            return st == 200 and srv["server"]["status"] == "ACTIVE"

        _wait(f"server {server_id} ACTIVE", active)
        status, body = admin.call(
            "POST",
            f"/servers/{server_id}/action",
            {"os-migrateLive": {"host": None, "block_migration": "auto"}},
            "2.25",
        )
        if status != 202:
            raise RuntimeError(f"seeding: os-migrateLive answered {status}: {body}")

        def running(server_id: str = server_id) -> Any:
            st, mig = admin.call("GET", f"/servers/{server_id}/migrations", version="2.80")
            if st != 200:
                return None
            found = [m for m in mig["migrations"] if m["status"] == "running"]
            return found[0] if found else None

        migration = _wait(f"a running migration of server {server_id}", running)
        seeded.append({"server": server_id, "migration": str(migration["id"])})
    return seeded


def main(argv: list[str]) -> int:
    global _ERR
    args = parse_args(argv)
    workdir = args.workdir or tempfile.mkdtemp(prefix="novabox-")
    os.makedirs(workdir, exist_ok=True)
    # Every temporary file nova's fixtures make lands in workdir, removed at stop.
    os.environ["TMPDIR"] = workdir
    tempfile.tempdir = workdir
    log_path = os.path.join(workdir, "nova.log")

    # Keep the real stdout for the ready line; anything else printed goes to a file.
    ready_out = os.fdopen(os.dup(1), "w")
    _ERR = os.fdopen(os.dup(2), "w")
    stdio = os.open(os.path.join(workdir, "stdio.log"), os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    os.dup2(stdio, 1)
    os.dup2(stdio, 2)

    stop = threading.Event()
    ready = threading.Event()

    def on_signal(signum: int, frame: Any) -> None:
        stop.set()
        if not ready.is_set():
            # Still booting: abandon the boot (main thread is inside nova).
            raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    # `kill -USR1 <pid>` writes every thread's stack to <workdir>/stacks.log (a box that stopped answering).
    import faulthandler

    stacks = open(os.path.join(workdir, "stacks.log"), "a")  # noqa: SIM115 - open for the process's life
    faulthandler.register(signal.SIGUSR1, file=stacks, all_threads=True)
    if args.watch_stdin:

        def watch_stdin() -> None:
            while os.read(0, 4096):
                pass
            os.kill(os.getpid(), signal.SIGTERM)

        threading.Thread(target=watch_stdin, name="novabox-stdin", daemon=True).start()

    server = None
    code = 0
    try:
        try:
            httpd = _ThreadingWSGIServer(("127.0.0.1", args.port), _QuietHandler)
            placement_httpd = _ThreadingWSGIServer(("127.0.0.1", args.placement_port), _QuietHandler)
        except OSError as exc:
            say(f"cannot listen on 127.0.0.1:{args.port}/{args.placement_port}: {exc.strerror}")
            return 3
        port = httpd.server_address[1]
        placement_url = f"http://127.0.0.1:{placement_httpd.server_address[1]}/"
        started = time.monotonic()
        say(f"starting nova {NOVA_VERSION} (log: {log_path})")
        box = build_box(args, workdir)
        import novabox_auth

        identities = novabox_auth.default_identities()
        tokens = novabox_auth.make_tokens(identities)
        by_token = {tokens[name]: identity for name, identity in identities.items()}
        root = f"http://127.0.0.1:{port}"
        app = load_app(box, by_token, f"{root}/identity")
        httpd.set_app(app)
        server = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.2}, daemon=True)
        server.start()
        placement_httpd.set_app(load_placement_app(box, by_token, f"{root}/identity"))
        threading.Thread(target=placement_httpd.serve_forever, kwargs={"poll_interval": 0.2}, daemon=True).start()
        threading.Thread(target=_clear_notifications, args=(box, stop), daemon=True).start()
        if stop.is_set():
            return 0

        # The service root exactly as nova's version document lists it.
        with urllib.request.urlopen(root + "/", timeout=30) as resp:
            versions = json.loads(resp.read())["versions"]
        current = next(v for v in versions if v["id"] == "v2.1")
        url = next(link["href"] for link in current["links"] if link["rel"] == "self")

        from nova.tests.fixtures import glance as glance_fixture
        from nova.tests.fixtures import neutron as neutron_fixture

        ids = {
            "image": glance_fixture.GlanceFixture.image1["id"],
            "flavor": "1",
            "network": neutron_fixture.NeutronFixture.network_1["id"],
        }
        say(f"nova is up on {url} ({time.monotonic() - started:.1f}s); seeding {args.seed} migration(s)")
        seeded = seed(url, tokens, args.seed, ids)
        state = {
            "url": url,
            "placement_url": placement_url,
            "tokens": tokens,
            "projects": {name: ident.project_id for name, ident in identities.items()},
            "users": {name: ident.user_id for name, ident in identities.items()},
            "hosts": list(HOSTS),
            "image": ids["image"],
            "flavor": ids["flavor"],
            "network": ids["network"],
            "seeded": seeded,
            "min_version": current["min_version"],
            "max_version": current["version"],
            "nova_version": NOVA_VERSION,
            "migration_seconds": args.migration_seconds,
            "pid": os.getpid(),
            "log": log_path,
            "workdir": workdir,
        }
        line = json.dumps(state, sort_keys=True)
        if args.state_file:
            tmp = args.state_file + ".tmp"
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "w") as fh:
                fh.write(line + "\n")
            os.replace(tmp, args.state_file)
        say(f"ready in {time.monotonic() - started:.1f}s")
        ready_out.write(line + "\n")
        ready_out.flush()
        ready.set()
        stop.wait()
        say("stopping")
        httpd.shutdown()
        placement_httpd.shutdown()
        _shutdown(box)
    except BaseException as exc:  # SystemExit from deep inside nova too
        with open(log_path, "a") as fh:
            traceback.print_exc(file=fh)
        say(f"failed: {exc.__class__.__name__}: {exc} (traceback in {log_path})")
        code = 0 if isinstance(exc, KeyboardInterrupt) and stop.is_set() else 1
    finally:
        if args.state_file and os.path.exists(args.state_file):
            os.unlink(args.state_file)
        if code == 0:
            shutil.rmtree(workdir, ignore_errors=True)
    _ERR.flush()
    # Non-daemon executor threads of nova's services must not keep us alive.
    os._exit(code)


def _shutdown(box: Any) -> None:
    """Run the fixtures' cleanups (stop services), bounded in time."""
    import novabox_driver

    novabox_driver.release_all()
    done = threading.Event()

    def cleanups() -> None:
        try:
            box.doCleanups()
        finally:
            done.set()

    threading.Thread(target=cleanups, daemon=True).start()
    if not done.wait(CLEANUP_SECONDS):
        import faulthandler
        import logging

        logging.getLogger("novabox").warning("fixture cleanups still running after %ss; exiting", CLEANUP_SECONDS)
        if os.environ.get("NOVABOX_DEBUG_SHUTDOWN"):
            with open(os.environ["NOVABOX_DEBUG_SHUTDOWN"], "w") as fh:
                faulthandler.dump_traceback(file=fh)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
