"""nova-box against itself: real Nova 34 answering over HTTP, as a suite would see it.

One box is booted per session (the venv is built into the user cache the
first time, ~90 s; later boots take ~10 s). Tests that change state work on
fresh servers and migrations made through the public API, so the seeded
migration stays running for the read-only checks.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from conformance.novabox import NovaBox, fresh_migration, fresh_server
from conformance.novabox.client import Response, call, wait_for

pytestmark = [pytest.mark.novabox, pytest.mark.slow]

REPO = Path(__file__).resolve().parents[2]

#: Fields of GET /servers/{id}/migrations items, per the api-ref, by microversion.
FIELDS_2_23 = {
    "created_at",
    "dest_compute",
    "dest_host",
    "dest_node",
    "disk_processed_bytes",
    "disk_remaining_bytes",
    "disk_total_bytes",
    "id",
    "memory_processed_bytes",
    "memory_remaining_bytes",
    "memory_total_bytes",
    "server_uuid",
    "source_compute",
    "source_node",
    "status",
    "updated_at",
}
FIELDS = {
    "2.23": FIELDS_2_23,
    "2.59": FIELDS_2_23 | {"uuid"},
    "2.80": FIELDS_2_23 | {"uuid", "user_id", "project_id"},
}
KEYSTONE_401 = {
    "error": {"code": 401, "title": "Unauthorized", "message": "The request you have made requires authentication."}
}


@pytest.fixture(scope="session")
def box() -> Iterator[NovaBox]:
    with NovaBox(migration_seconds=3600, seed=1) as running:
        yield running


@pytest.fixture(scope="session")
def state(box: NovaBox) -> dict[str, Any]:
    return box.state


def get(state: dict[str, Any], path: str, who: str | None = "admin", version: str | None = None) -> Response:
    token = state["tokens"][who] if who else None
    return call(state["url"].rstrip("/") + path, token, version=version)


def send(state: dict[str, Any], method: str, path: str, body: Any = None, version: str | None = None) -> Response:
    return call(state["url"].rstrip("/") + path, state["tokens"]["admin"], method, body, version)


def seeded(state: dict[str, Any]) -> tuple[str, int]:
    first = state["seeded"][0]
    return first["server"], int(first["migration"])


def test_ready_line_names_url_tokens_and_seed(state: dict[str, Any]) -> None:
    assert state["url"].startswith("http://127.0.0.1:")
    assert {"admin", "member", "other"} <= set(state["tokens"])
    assert len(set(state["tokens"].values())) == len(state["tokens"])
    assert len(state["seeded"]) == 1


def test_version_discovery_without_token(state: dict[str, Any]) -> None:
    root = state["url"].rstrip("/").rsplit("/", 1)[0] + "/"
    resp = call(root, None)
    assert resp.status == 200
    current = next(v for v in resp.body["versions"] if v["id"] == "v2.1")
    assert (current["min_version"], current["version"], current["status"]) == ("2.1", "2.104", "CURRENT")
    assert {"rel": "self", "href": state["url"]} in current["links"]
    resp = call(state["url"], None)
    assert resp.status == 200
    assert resp.body["version"]["id"] == "v2.1"


@pytest.mark.parametrize("version", ["2.23", "2.59", "2.80"])
def test_seeded_migration_has_documented_fields(state: dict[str, Any], version: str) -> None:
    server, migration = seeded(state)
    resp = get(state, f"/servers/{server}/migrations", version=version)
    assert resp.status == 200, resp
    assert resp.headers.get("OpenStack-API-Version") == f"compute {version}"
    (item,) = resp.body["migrations"]
    assert set(item) == FIELDS[version]
    assert item["id"] == migration
    assert item["server_uuid"] == server
    assert item["status"] == "running"
    assert item["dest_host"] is None  # the fake driver has no host IPs
    assert item["source_compute"] in state["hosts"] and item["dest_compute"] in state["hosts"]
    one = get(state, f"/servers/{server}/migrations/{migration}", version=version)
    assert one.status == 200 and set(one.body["migration"]) == FIELDS[version]


def test_migrations_list_not_found_before_2_23(state: dict[str, Any]) -> None:
    server, _ = seeded(state)
    assert get(state, f"/servers/{server}/migrations", version="2.22").status == 404


@pytest.mark.parametrize("token", [None, "not-a-token"])
def test_401_like_keystone(state: dict[str, Any], token: str | None) -> None:
    server, _ = seeded(state)
    resp = call(f"{state['url']}servers/{server}/migrations", token, version="2.80")
    assert resp.status == 401
    assert resp.body == KEYSTONE_401
    assert resp.headers.get("WWW-Authenticate", "").startswith("Keystone uri=")


def test_member_of_owning_project_is_forbidden(state: dict[str, Any]) -> None:
    server, _ = seeded(state)
    assert get(state, f"/servers/{server}", who="member").status == 200
    resp = get(state, f"/servers/{server}/migrations", who="member", version="2.80")
    assert resp.status == 403
    assert resp.body == {
        "forbidden": {
            "code": 403,
            "message": "Policy doesn't allow os_compute_api:servers:migrations:index to be performed.",
        }
    }


def test_identity_headers_cannot_be_spoofed(state: dict[str, Any]) -> None:
    import urllib.error
    import urllib.request

    server, _ = seeded(state)
    req = urllib.request.Request(f"{state['url']}servers/{server}/migrations")
    req.add_header("X-Auth-Token", state["tokens"]["member"])
    req.add_header("X-Roles", "admin")
    req.add_header("OpenStack-API-Version", "compute 2.80")
    with pytest.raises(urllib.error.HTTPError) as err:
        urllib.request.urlopen(req, timeout=30)
    with err.value:
        assert err.value.code == 403


def test_member_of_other_project_gets_404(state: dict[str, Any]) -> None:
    server, _ = seeded(state)
    resp = get(state, f"/servers/{server}/migrations", who="other", version="2.80")
    assert resp.status == 404
    assert "itemNotFound" in resp.body


def test_images_flavors_networks_are_discoverable(state: dict[str, Any]) -> None:
    assert state["image"] in {i["id"] for i in get(state, "/images", "member").body["images"]}
    assert state["flavor"] in {f["id"] for f in get(state, "/flavors", "member").body["flavors"]}
    assert state["network"] in {n["id"] for n in get(state, "/os-networks", "member").body["networks"]}


def test_floating_ips_are_kept_as_neutron_keeps_them(state: dict[str, Any]) -> None:
    """An external network to allocate from (nova's default pool), addresses seen only by their project,
    associated with a server's port and its fixed address, and left unassociated when the server goes."""
    def member(method: str, path: str, body: Any = None, who: str = "member") -> Response:
        return call(state["url"].rstrip("/") + path, state["tokens"][who], method, body, "2.35")

    assert member("GET", "/os-floating-ip-pools").body == {"floating_ip_pools": [{"name": "public"}]}
    allocated = member("POST", "/os-floating-ips")  # no body: the default pool
    assert allocated.status == 200, allocated.body
    address = allocated.body["floating_ip"]
    assert (address["pool"], address["fixed_ip"], address["instance_id"]) == ("public", None, None)
    assert member("GET", f"/os-floating-ips/{address['id']}", who="other").status == 404
    assert member("GET", "/os-floating-ips", who="other").body == {"floating_ips": []}
    assert [item["id"] for item in member("GET", "/os-floating-ips").body["floating_ips"]] == [address["id"]]
    server = fresh_server(state)
    fixed = [ip["addr"] for ips in get(state, f"/servers/{server}").body["server"]["addresses"].values()
             for ip in ips]
    assert member("POST", f"/servers/{server}/action", {"addFloatingIp": {"address": address["ip"]}}).status == 202
    shown = member("GET", f"/os-floating-ips/{address['id']}").body["floating_ip"]
    assert shown["instance_id"] == server and shown["fixed_ip"] in fixed
    # Removing it from another server is refused: nova finds the server by the address.
    assert member("POST", f"/servers/{seeded(state)[0]}/action",
                  {"removeFloatingIp": {"address": address["ip"]}}).status == 409
    assert member("DELETE", f"/servers/{server}").status == 204
    wait_for("the server to be deleted", lambda: member("GET", f"/servers/{server}").status == 404)
    shown = member("GET", f"/os-floating-ips/{address['id']}").body["floating_ip"]
    assert (shown["instance_id"], shown["fixed_ip"]) == (None, None)
    assert member("DELETE", f"/os-floating-ips/{address['id']}").status == 202
    assert member("GET", f"/os-floating-ips/{address['id']}").status == 404


def test_quota_leaves_room_for_suites_side_by_side(state: dict[str, Any]) -> None:
    absolute = get(state, "/limits", "member").body["limits"]["absolute"]
    assert (absolute["maxTotalInstances"], absolute["maxTotalCores"]) == (100, 100)


def test_fresh_server_and_live_migration_through_public_api(state: dict[str, Any]) -> None:
    server, migration = fresh_migration(state)
    resp = get(state, f"/servers/{server}/migrations", version="2.80")
    (item,) = resp.body["migrations"]
    assert (item["id"], item["status"]) == (migration, "running")
    assert item["user_id"] == state["users"]["admin"]
    srv = get(state, f"/servers/{server}", version="2.80").body["server"]
    assert srv["status"] == "MIGRATING"
    assert srv["tenant_id"] == state["projects"]["member"]
    # Leave nothing running behind.
    assert send(state, "DELETE", f"/servers/{server}/migrations/{migration}", version="2.24").status == 202


def _final_status(state: dict[str, Any], server: str) -> str:
    items = get(state, f"/os-migrations?instance_uuid={server}", version="2.80").body["migrations"]
    return str(items[0]["status"])


def test_force_complete_completes_the_migration(state: dict[str, Any]) -> None:
    server, migration = fresh_migration(state)
    source = get(state, f"/servers/{server}").body["server"]["OS-EXT-SRV-ATTR:host"]
    resp = send(state, "POST", f"/servers/{server}/migrations/{migration}/action", {"force_complete": None}, "2.22")
    assert resp.status == 202, resp
    started = time.monotonic()
    wait_for(
        "the migration to leave the list",
        lambda: not get(state, f"/servers/{server}/migrations", version="2.23").body["migrations"],
        timeout=10,
    )
    assert time.monotonic() - started < 5
    assert _final_status(state, server) == "completed"
    after = wait_for(
        "ACTIVE", lambda: (s := get(state, f"/servers/{server}").body["server"])["status"] == "ACTIVE" and s
    )
    assert after["OS-EXT-SRV-ATTR:host"] != source


def test_abort_cancels_the_migration(state: dict[str, Any]) -> None:
    server, migration = fresh_migration(state)
    source = get(state, f"/servers/{server}").body["server"]["OS-EXT-SRV-ATTR:host"]
    resp = send(state, "DELETE", f"/servers/{server}/migrations/{migration}", version="2.24")
    assert resp.status == 202, resp
    wait_for(
        "the migration to leave the list",
        lambda: not get(state, f"/servers/{server}/migrations", version="2.23").body["migrations"],
        timeout=10,
    )
    assert _final_status(state, server) == "cancelled"
    after = wait_for(
        "ACTIVE", lambda: (s := get(state, f"/servers/{server}").body["server"])["status"] == "ACTIVE" and s
    )
    assert after["OS-EXT-SRV-ATTR:host"] == source


def test_force_and_abort_on_idle_server_conflict(state: dict[str, Any]) -> None:
    server = fresh_server(state)
    _, migration = seeded(state)
    force = send(state, "POST", f"/servers/{server}/migrations/{migration}/action", {"force_complete": None}, "2.22")
    assert force.status == 409 and "conflictingRequest" in force.body
    abort = send(state, "DELETE", f"/servers/{server}/migrations/{migration}", version="2.24")
    assert abort.status == 409 and "conflictingRequest" in abort.body


def test_deleting_a_migrating_server_ends_its_migration(state: dict[str, Any]) -> None:
    """The guest destroyed under a live migration fails it at once, as a hypervisor's does; before, the
    migration held one of the host's live-migration workers for an hour, and a selftest deleting servers
    mid-migration in run after run used them all (no later migration ever started)."""
    server, _ = fresh_migration(state)
    assert send(state, "DELETE", f"/servers/{server}").status == 204

    def failed() -> bool:
        log = Path(state["log"]).read_text(encoding="utf-8", errors="replace")
        # nova logs "Live migration failed." and the driver's exception, which names the instance.
        return "Live migration failed." in log and f"InstanceNotFound: Instance {server} could not be found" in log

    wait_for(f"nova to log the migration of deleted server {server} as failed", failed, timeout=30)
    assert get(state, f"/servers/{server}").status == 404  # deleted, not left in ERROR by the failed migration
    again, migration = fresh_migration(state)  # the host still starts migrations
    assert send(state, "DELETE", f"/servers/{again}/migrations/{migration}", version="2.24").status == 202


def test_tokens_never_reach_the_log(box: NovaBox, state: dict[str, Any]) -> None:
    get(state, "/servers", "member")
    log = Path(state["log"]).read_text(encoding="utf-8", errors="replace")
    assert "GET" in log  # requests are logged...
    for token in state["tokens"].values():
        assert token not in log  # ...without their tokens
    assert not any(t in repr(box) for t in state["tokens"].values())


def test_cli_migration_seconds_then_clean_stop_on_sigterm(tmp_path: Path) -> None:
    """The CLI's box: a migration ends by itself after --migration-seconds; SIGTERM removes every file."""
    state_file = tmp_path / "state.json"
    env = dict(os.environ, PYTHONPATH=str(REPO))
    proc = subprocess.Popen(
        [sys.executable, "-m", "conformance.novabox", "--migration-seconds", "4", "--state-file", str(state_file)],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env=env,
        cwd=REPO,
    )
    try:
        assert proc.stdout is not None
        printed = json.loads(proc.stdout.readline())
        written = json.loads(state_file.read_text())
        assert printed == written
        assert state_file.stat().st_mode & 0o077 == 0  # tokens inside: owner-only
        workdir = Path(written["workdir"])
        assert workdir.is_dir() and Path(written["log"]).is_file()
        server_pid = written["pid"]
        server = written["seeded"][0]["server"]
        admin = written["tokens"]["admin"]
        base = written["url"].rstrip("/")

        def completed() -> bool:
            items = call(f"{base}/os-migrations?instance_uuid={server}", admin, version="2.80").body["migrations"]
            return bool(items) and items[0]["status"] == "completed"

        wait_for("the seeded migration to complete by itself", completed, timeout=30)
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=30) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        if proc.stdout is not None:
            proc.stdout.close()
    assert not state_file.exists()
    assert not workdir.exists()
    with pytest.raises(ProcessLookupError):
        os.kill(server_pid, 0)
