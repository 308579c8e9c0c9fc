"""The Provisioner on a scripted cloud: finding, creating, states, putting back, and deleting everything."""

from __future__ import annotations

from pathlib import Path

import pytest
from suites_fakecloud import REGISTRY, FakeCloud, registry

from conformance.errors import TargetError
from conformance.suites.provision import Provisioner, render
from conformance.suites.workload import NotAvailable


@pytest.fixture
def cloud() -> FakeCloud:
    return FakeCloud()


def provisioner(cloud: FakeCloud, tmp_path: Path, destructive: bool = True, timeout: float = 2.0) -> Provisioner:
    return Provisioner(cloud, registry(tmp_path), destructive=destructive, timeout=timeout)


def test_render_keeps_a_whole_placeholder_as_its_value_and_fills_keys() -> None:
    lookup = {"id": 7, "key": "k1", "name": "conformance-a"}.__getitem__
    assert render({"meta": {"{key}": "{name}"}, "n": "{id}", "s": "x-{id}"}, lookup) == {
        "meta": {"k1": "conformance-a"}, "n": 7, "s": "x-7"}


def test_a_shared_resource_is_found_never_one_the_suite_named(cloud: FakeCloud, tmp_path: Path) -> None:
    cloud.servers = {"s1": {"id": "s1", "name": "conformance-other-worker", "status": "ACTIVE", "task": None},
                     "s2": {"id": "s2", "name": "a-user-server", "status": "ACTIVE", "task": None}}
    assert provisioner(cloud, tmp_path, destructive=False).values(["server_id"]) == {"server_id": "s2"}


def test_a_shared_resource_named_inside_its_item_is_never_one_the_suite_named(cloud: FakeCloud,
                                                                              tmp_path: Path) -> None:
    """Keypairs are listed as ``{"keypair": {"name": ...}}``: the name the finder reads is what tells another
    worker's keypair (which it deletes when its test ends) from one the suite may share."""
    cloud.flavors = [{"keypair": {"name": "conformance-other-worker"}}, {"keypair": {"name": "a-user-key"}}]
    keypairs = ("  keypair_name:\n    about: a keypair\n"
                "    find: [{call: GET /flavors, items: flavors, value: keypair.name}]\n")
    assert "\nfields:\n" in REGISTRY
    found = Provisioner(cloud, registry(tmp_path, REGISTRY.replace("\nfields:\n", "\n" + keypairs + "fields:\n")),
                        destructive=False, timeout=1.0)
    assert found.values(["keypair_name"]) == {"keypair_name": "a-user-key"}


def test_read_only_run_without_one_is_not_available(cloud: FakeCloud, tmp_path: Path) -> None:
    with pytest.raises(NotAvailable, match="run with --allow-destructive"):
        provisioner(cloud, tmp_path, destructive=False).values(["server_id"])
    assert cloud.count("POST", "/servers") == 0


def test_shared_ones_are_created_once_and_deleted_at_cleanup(cloud: FakeCloud, tmp_path: Path) -> None:
    box = provisioner(cloud, tmp_path)
    first = box.values(["server_id", "snapshot_id"])
    assert box.values(["server_id", "snapshot_id"]) == first
    assert cloud.count("POST", "/servers") == 1 and cloud.count("POST", r"/servers/[^/]+/snapshots") == 1
    assert box.release() == [] and cloud.servers, "release deletes only what a test was given fresh"
    assert box.cleanup() == []
    assert not cloud.servers and not any(cloud.snapshots.values())


def test_fresh_ones_are_deleted_after_the_test_children_first(cloud: FakeCloud, tmp_path: Path) -> None:
    box = provisioner(cloud, tmp_path)
    values = box.values(["server_id", "snapshot_id"], fresh=True)
    assert values["snapshot_id"] in cloud.snapshots[values["server_id"]]
    assert box.release() == []
    deletes = [path for method, path, _ in cloud.sent if method == "DELETE"]
    assert deletes == [f"/servers/{values['server_id']}/snapshots/{values['snapshot_id']}",
                       f"/servers/{values['server_id']}"]
    assert not cloud.servers


def test_what_could_not_be_deleted_is_named(cloud: FakeCloud, tmp_path: Path) -> None:
    box = provisioner(cloud, tmp_path)
    server = box.values(["server_id"], fresh=True)["server_id"]
    cloud.fail[("DELETE", f"/servers/{server}")] = (409, {"conflictingRequest": {"code": 409, "message": "busy"}})
    assert box.release() == [f"a server {server} (could not delete it with DELETE /servers/{{server_id}})"]


def test_a_create_cut_off_by_an_interrupt_is_found_by_name_at_cleanup(cloud: FakeCloud, tmp_path: Path) -> None:
    box = provisioner(cloud, tmp_path)
    cloud.interrupt = r"POST /servers"
    with pytest.raises(KeyboardInterrupt):
        box.values(["server_id"], fresh=True)
    cloud.interrupt = None
    assert len(cloud.servers) == 1
    assert box.cleanup() == []
    assert not cloud.servers


def test_a_failed_create_is_not_tried_again(cloud: FakeCloud, tmp_path: Path) -> None:
    box = provisioner(cloud, tmp_path)
    cloud.fail[("POST", "/servers")] = (500, {"computeFault": {"code": 500, "message": "boom"}})
    with pytest.raises(NotAvailable, match=r"could not create a server: POST .* answered 500"):
        box.values(["server_id"], fresh=True)
    with pytest.raises(NotAvailable, match="not tried again"):
        box.values(["server_id"], fresh=True)
    assert cloud.count("POST", "/servers") == 1


def test_a_full_quota_is_waited_out_then_not_available(cloud: FakeCloud, tmp_path: Path) -> None:
    box = provisioner(cloud, tmp_path, timeout=0.01)
    cloud.fail[("POST", "/servers")] = (403, {"forbidden": {"code": 403, "message": "Quota exceeded for instances"}})
    with pytest.raises(NotAvailable, match="no quota left to create a server"):
        box.values(["server_id"], fresh=True)


def test_a_state_is_reached_through_actions(cloud: FakeCloud, tmp_path: Path) -> None:
    box = provisioner(cloud, tmp_path)
    server = box.values(["server_id"], fresh=True)["server_id"]
    box.bring("server_id", server, "PAUSED")
    assert cloud.servers[server]["status"] == "PAUSED"
    assert ("POST", f"/servers/{server}/action") in [(m, p) for m, p, _ in cloud.sent]
    with pytest.raises(NotAvailable, match="does not say how to bring a server into RESCUE"):
        box.bring("server_id", server, "RESCUE")


def test_each_action_of_a_state_waits_for_the_previous_one_to_end(cloud: FakeCloud, tmp_path: Path) -> None:
    """SHELVED_OFFLOADED is shelve, then shelveOffload: sent before the shelving ends, nova refuses the
    offload (409 "while it is in vm_state active")."""
    box = provisioner(cloud, tmp_path)
    server = box.values(["server_id"], fresh=True)["server_id"]
    box.bring("server_id", server, "SHELVED_OFFLOADED")
    assert cloud.servers[server]["status"] == "SHELVED_OFFLOADED"
    sent = [(m, p) for m, p, _ in cloud.sent]
    shelve, offload = [i for i, each in enumerate(sent) if each == ("POST", f"/servers/{server}/action")]
    assert ("GET", f"/servers/{server}") in sent[shelve + 1:offload]  # the wait for the shelving to end


def test_a_state_not_reached_is_not_available_with_what_the_resource_is(cloud: FakeCloud, tmp_path: Path) -> None:
    box = provisioner(cloud, tmp_path)
    server = box.values(["server_id"], fresh=True)["server_id"]
    cloud.fail[("POST", f"/servers/{server}/action")] = (202, None)  # accepted, does nothing
    with pytest.raises(NotAvailable, match=f"could not bring a server {server} into PAUSED: .* is ACTIVE"):
        box.bring("server_id", server, "PAUSED")


def test_what_an_unsafe_write_changes_is_put_back(cloud: FakeCloud, tmp_path: Path) -> None:
    box = provisioner(cloud, tmp_path)
    box.guard("quota_id", "default", {})
    cloud.quota["instances"] = 0  # the test changes the default quotas
    assert box.release() == []
    assert cloud.quota == {"id": "default", "instances": 10}
    assert cloud.sent[-1][2]["json"] == {"quota": {"instances": 10}}, "read-only keys are left out"


def test_a_value_the_suite_chooses_is_chosen_before_the_request_names_it(cloud: FakeCloud, tmp_path: Path) -> None:
    text = REGISTRY.replace("fields:\n", """\
  project_id:
    about: a project
    find: [{call: GET /servers/detail, items: servers, value: id}]
    create: {call: "PUT /quotas/{project_id}", body: {quota: {instances: 1}}, value: "{uuid}", named: false}
fields:
""", 1)
    cloud.servers = {"s2": {"id": "s2", "name": "a-user-server", "status": "ACTIVE", "task": None}}
    box = Provisioner(cloud, registry(tmp_path, text), destructive=True, timeout=1.0)
    value = box.values(["project_id"], fresh=True)["project_id"]
    assert value != "s2"
    assert [path for method, path, _ in cloud.sent if method == "PUT"] == [f"/quotas/{value}"]


def test_a_name_the_suite_chooses_is_the_same_in_the_value_and_the_request(cloud: FakeCloud,
                                                                            tmp_path: Path) -> None:
    # As nova's extra specs: the key is sent in the body and is the new resource's value.
    text = REGISTRY.replace("fields:\n", """\
  spec_key:
    about: an extra spec
    find: [{call: GET /servers/detail, items: servers, value: id}]
    create: {call: "PUT /quotas/default", body: {quota: {"spec:{name}": 1}}, value: "spec:{name}", named: false}
fields:
""", 1)
    box = Provisioner(cloud, registry(tmp_path, text), destructive=True, timeout=1.0)
    value = box.values(["spec_key"], fresh=True)["spec_key"]
    sent = [kwargs["json"] for method, path, kwargs in cloud.sent if method == "PUT"]
    assert value.startswith("spec:conformance-") and sent == [{"quota": {value: 1}}]


def test_a_resource_that_fails_says_why_first(cloud: FakeCloud, tmp_path: Path) -> None:
    """A server that went to ERROR: its fault comes first in the message, where a report's shortened reason
    still shows it."""
    first = "00000001-0000-4000-8000-000000000000"
    fault = {"code": 500, "message": "No valid host was found. There are not enough hosts available."}
    cloud.fail[("GET", f"/servers/{first}")] = (200, {"server": {"id": first, "padding": "x" * 600,
                                                                  "status": "ERROR", "task": None, "fault": fault}})
    with pytest.raises((TargetError, NotAvailable)) as raised:
        provisioner(cloud, tmp_path).values(["server_id"], fresh=True)
    assert "went to ERROR" in str(raised.value) and "No valid host" in str(raised.value)[:300]
