# mypy: disallow-subclassing-any=False
"""What nova-box adds to nova's own service fixtures so that the compute API's proxies answer.

Runs inside the nova venv. nova's functional tests never call the deprecated
volume and security-group proxies (``/os-volumes``, ``/os-snapshots``,
``/os-security-groups``), so ``CinderFixture`` and ``NeutronFixture`` lack what
those need: listing and deleting volumes and snapshots, security groups
whose rules are objects, and an external network with floating IPs (the
fixture has none: ``/os-floating-ips`` could only answer an empty list).
:func:`extend` completes the fixtures in their own
style (in-memory, the fixture's own data), without changing what nova's tests
rely on, except one thing a real Cinder does: a volume nobody created does not
exist (the fixture answers any id; a real Cinder answers 404).
"""

from __future__ import annotations

import copy
import datetime
from typing import Any

import fixtures
from nova import exception
from oslo_utils import uuidutils

__all__ = ["extend"]


SPARE_SERVICES = 4
"""Scheduler service records nothing runs on: ``DELETE /os-services/{id}`` can be exercised on them."""


def extend(box: Any) -> None:
    """Complete the Cinder, Neutron and Glance fixtures of a started ``_IntegratedTestBase``; add spare
    services."""
    _cinder(box, box.cinder)
    _neutron(box.neutron)
    _floating_ips(box, box.neutron)
    _glance(box.glance)
    _spare_services()


def _glance(fixture: Any) -> None:
    """Listing images honours the filters, the marker and the limit, as Glance does: the fixture returns every
    image whatever they are, so rotating a server's backups (createBackup) deleted the images of every other
    server too, and ``GET /images?limit=1`` listed them all."""
    listed = fixture.detail

    def detail(context: Any, **kwargs: Any) -> list[dict[str, Any]]:
        images: list[dict[str, Any]] = listed(context, **kwargs)
        for key, wanted in (kwargs.get("filters") or {}).items():
            if key.startswith("property-"):
                name = key[len("property-"):]
                images = [image for image in images if str(image.get("properties", {}).get(name)) == str(wanted)]
            elif key in ("name", "status", "visibility", "container_format", "disk_format"):
                images = [image for image in images if str(image.get(key)) == str(wanted)]
        if kwargs.get("sort_key") == "created_at":
            images.sort(key=lambda image: str(image.get("created_at")), reverse=kwargs.get("sort_dir") != "asc")
        # Pages as Glance pages: after the marker's image (an unknown marker is refused), at most limit images.
        marker = kwargs.get("marker")
        if marker is not None:
            ids = [str(image.get("id")) for image in images]
            if str(marker) not in ids:
                raise exception.Invalid(f"marker {marker} not found")
            images = images[ids.index(str(marker)) + 1:]
        if kwargs.get("limit") is not None:
            images = images[:int(kwargs["limit"])]
        return images

    fixture.detail = detail


def _spare_services() -> None:
    from nova import context as nova_context
    from nova import objects

    admin = nova_context.get_admin_context()
    for number in range(1, SPARE_SERVICES + 1):
        objects.Service(admin, host=f"spare-{number}", binary="nova-scheduler", topic="scheduler").create()


def _known_constants(fixture: Any) -> set[str]:
    """The volume ids nova's tests use without creating them (``SWAP_OLD_VOL``, ``IMAGE_BACKED_VOL``...)."""
    return {value for name, value in vars(type(fixture)).items()
            if name.isupper() and isinstance(value, str) and uuidutils.is_uuid_like(value)}


def _cinder(box: Any, fixture: Any) -> None:
    constants = _known_constants(fixture)
    original_get = fixture.fake_get
    created_at = datetime.datetime.now(datetime.UTC).isoformat()

    def complete(volume: dict[str, Any]) -> dict[str, Any]:
        volume = dict(volume)
        for key, value in (("created_at", created_at), ("volume_type_id", None), ("snapshot_id", None),
                           ("display_description", None), ("volume_metadata", {}), ("attachments", {})):
            volume.setdefault(key, value)
        attached = fixture.volume_to_attachment.get(volume["id"]) or {}
        if attached:  # the fixture records attachments apart from the volumes it created
            volume.update(status="in-use", attach_status="attached", attachments={
                item["instance_uuid"]: {"attachment_id": item["id"], "mountpoint": "/dev/vdb"}
                for item in attached.values()})
        elif volume["id"] in fixture.volumes:
            volume.update(status="available", attach_status="detached", attachments={})
        return volume

    def get(context: Any, volume_id: str, microversion: Any = None) -> dict[str, Any]:
        if (volume_id not in fixture.volumes and volume_id not in constants
                and not fixture.volume_to_attachment.get(volume_id)):
            raise exception.VolumeNotFound(volume_id=volume_id)
        return complete(original_get(context, volume_id, microversion))

    def get_all(context: Any, search_opts: Any = None) -> list[dict[str, Any]]:
        return [get(context, volume_id) for volume_id in list(fixture.volumes)]

    def delete(context: Any, volume_id: str) -> None:
        volume = get(context, volume_id)
        if volume.get("attach_status") == "attached":
            raise exception.InvalidVolume(reason=f"volume {volume_id} is attached")
        fixture.volumes.pop(volume_id, None)

    def create(context: Any, size: Any, name: Any, description: Any, *args: Any, **kwargs: Any) -> dict[str, Any]:
        volume: dict[str, Any] = fixture.fake_vol_create(context, size, name, description, *args, **kwargs)
        return complete(volume)

    def get_snapshot(context: Any, snapshot_id: str) -> dict[str, Any]:
        snapshot: dict[str, Any] | None = fixture.fake_get_snapshot(context, snapshot_id)
        if snapshot is None:
            raise exception.SnapshotNotFound(snapshot_id=snapshot_id)
        snapshot = dict(copy.deepcopy(snapshot))
        volume = fixture.volumes.get(snapshot.get("volume_id"), {})
        snapshot.setdefault("volume_size", volume.get("size", 1))
        snapshot.setdefault("created_at", created_at)
        return snapshot

    def get_all_snapshots(context: Any) -> list[dict[str, Any]]:
        return [get_snapshot(context, snapshot_id) for snapshot_id in list(fixture.volume_snapshots)]

    def create_snapshot(context: Any, volume_id: str, name: Any, description: Any) -> dict[str, Any]:
        get(context, volume_id)
        created: dict[str, Any] = fixture.fake_create_snapshot_force(context, volume_id, name, description)
        return get_snapshot(context, str(created["id"]))

    def delete_snapshot(context: Any, snapshot_id: str) -> None:
        get_snapshot(context, snapshot_id)
        fixture.volume_snapshots.pop(snapshot_id, None)

    for name, function in (("get", get), ("get_all", get_all), ("delete", delete), ("create", create),
                           ("get_snapshot", get_snapshot), ("get_all_snapshots", get_all_snapshots),
                           ("create_snapshot", create_snapshot), ("create_snapshot_force", create_snapshot),
                           ("delete_snapshot", delete_snapshot)):
        box.useFixture(fixtures.MockPatch(f"nova.volume.cinder.API.{name}", side_effect=function, autospec=False))


def _neutron(fixture: Any) -> None:
    """Security groups as Neutron has them: rules as objects (the fixture lists their ids), and the show,
    create, update and delete requests of groups and rules that nova's security group proxy sends."""
    from neutronclient.common import exceptions as neutron_errors

    rules: dict[str, dict[str, Any]] = {rule["id"]: rule for name, rule in vars(type(fixture)).items()
                                        if name.startswith("security_group_rule") and isinstance(rule, dict)
                                        and "id" in rule}
    groups: dict[str, dict[str, Any]] = fixture._security_groups
    for group in groups.values():
        group["security_group_rules"] = [rules.get(rule, rule) if isinstance(rule, str) else rule
                                         for rule in group.get("security_group_rules", [])]

    def missing(kind: str, identifier: str) -> Exception:
        error: Exception = neutron_errors.NotFound(message=f"{kind} {identifier} could not be found")
        return error

    def show_security_group(group_id: str, **params: Any) -> dict[str, Any]:
        if group_id not in groups:
            raise missing("Security group", group_id)
        return {"security_group": copy.deepcopy(groups[group_id])}

    def create_security_group(body: dict[str, Any]) -> dict[str, Any]:
        group = {"id": uuidutils.generate_uuid(), "tenant_id": fixture.tenant_id, "project_id": fixture.tenant_id,
                 "security_group_rules": [], "description": "", **body["security_group"]}
        groups[group["id"]] = group
        return {"security_group": copy.deepcopy(group)}

    def update_security_group(group_id: str, body: dict[str, Any]) -> dict[str, Any]:
        show_security_group(group_id)
        groups[group_id].update(body["security_group"])
        return show_security_group(group_id)

    def delete_security_group(group_id: str) -> None:
        show_security_group(group_id)
        del groups[group_id]

    def create_security_group_rule(body: dict[str, Any]) -> dict[str, Any]:
        created = []
        for wanted in body["security_group_rules"]:
            group_id = wanted["security_group_id"]
            show_security_group(group_id)
            rule = {"id": uuidutils.generate_uuid(), "tenant_id": fixture.tenant_id, "project_id": fixture.tenant_id,
                    "port_range_min": None, "port_range_max": None, "protocol": None, "remote_group_id": None,
                    "remote_ip_prefix": None, "ethertype": "IPv4", **wanted}
            rules[rule["id"]] = rule
            groups[group_id]["security_group_rules"].append(rule)
            created.append(copy.deepcopy(rule))
        return {"security_group_rules": created}

    def show_security_group_rule(rule_id: str, **params: Any) -> dict[str, Any]:
        if rule_id not in rules:
            raise missing("Security group rule", rule_id)
        return {"security_group_rule": copy.deepcopy(rules[rule_id])}

    def delete_security_group_rule(rule_id: str) -> None:
        rule = rules.pop(rule_id, None)
        if rule is None:
            raise missing("Security group rule", rule_id)
        group = groups.get(str(rule.get("security_group_id")), {})
        group["security_group_rules"] = [item for item in group.get("security_group_rules", [])
                                         if item.get("id") != rule_id]

    def find_resource(resource: str, name_or_id: str, project_id: Any = None, cmd_resource: Any = None,
                      parent_id: Any = None, fields: Any = None) -> dict[str, Any]:
        if resource != "security_group":
            raise missing(resource, name_or_id)
        # The fixture's tenant stands for every project (its client never learns who asks): its groups, the
        # default one and those created through nova's proxy, are every project's, as each has its own in Neutron.
        found = [group for group in groups.values() if name_or_id in (group["id"], group.get("name"))
                 and (project_id is None or group.get("tenant_id") in (project_id, fixture.tenant_id))]
        if not found:
            raise missing("Security group", name_or_id)
        return copy.deepcopy(found[0])

    for function in (show_security_group, create_security_group, update_security_group, delete_security_group,
                     create_security_group_rule, show_security_group_rule, delete_security_group_rule,
                     find_resource):
        setattr(fixture, function.__name__, function)


EXTERNAL_NETWORK = "public"
"""The name of the external network nova-box adds: the pool nova's floating IP proxy allocates from."""

_FLOATING_RANGE = "172.24.4."


def _floating_ips(box: Any, fixture: Any) -> None:
    """An external network, ``public``, and floating IPs as Neutron keeps them: each belongs to the project
    that allocated it, is seen only by that project and by administrators, is associated with a port and
    its fixed address, and loses its port when the port is deleted (a server's). The fixture's client never
    learns who asks, so ``get_client`` is wrapped to give the floating IP calls the request's project.

    The network belongs to no project and is not shared, so nova never picks it for a server's ports; the
    ``fip-port-details`` extension (Neutron's default since Rocky) puts the port's details into each floating
    IP, as nova's proxy reads them. Nova is configured to allocate from ``public`` by default."""
    from neutronclient.common import exceptions as neutron_errors
    from nova.network import constants
    from nova.network import neutron as nova_neutron

    network = {**copy.deepcopy(fixture.network_1), "id": uuidutils.generate_uuid(), "name": EXTERNAL_NETWORK,
               "router:external": True, "shared": False, "tenant_id": "", "project_id": "", "mtu": 1500,
               "provider:network_type": "flat", "provider:physical_network": "public",
               "provider:segmentation_id": None}
    fixture._networks[network["id"]] = network
    # The pool a request naming none allocates from: the api-ref's "by default ... from the public pool".
    box.flags(default_floating_pool=EXTERNAL_NETWORK, group="neutron")
    floating: dict[str, dict[str, Any]] = {}
    extensions = fixture.list_extensions

    def list_extensions(*args: Any, **kwargs: Any) -> dict[str, Any]:
        listed: dict[str, Any] = extensions(*args, **kwargs)
        return {"extensions": [*listed["extensions"], {"alias": constants.FIP_PORT_DETAILS,
                                                       "name": "Floating IP Port Details Extension",
                                                       "description": "Add port_details attribute to Floating IP",
                                                       "updated": "2018-04-09T10:00:00-00:00", "links": []}]}

    fixture.list_extensions = list_extensions

    def seen(record: dict[str, Any]) -> dict[str, Any]:
        """The floating IP as Neutron shows it now: a deleted port leaves it unassociated."""
        port = fixture._ports.get(record["port_id"]) if record["port_id"] else None
        if record["port_id"] and port is None:
            record.update(port_id=None, fixed_ip_address=None, status="DOWN")
        details = None if port is None else {key: port.get(key) for key in (
            "name", "network_id", "mac_address", "admin_state_up", "status", "device_id", "device_owner")}
        return {**copy.deepcopy(record), "port_details": details}

    class Client:
        """The fixture's client for one request: its floating IP calls know the request's project."""

        def __init__(self, client: Any, context: Any) -> None:
            self._client, self._project, self._admin = client, context.project_id, bool(context.is_admin)

        def __getattr__(self, name: str) -> Any:
            return getattr(self._client, name)

        def _visible(self, record: dict[str, Any]) -> bool:
            return self._admin or record["tenant_id"] == self._project

        def _mine(self, floating_ip_id: str) -> dict[str, Any]:
            record = floating.get(floating_ip_id)
            if record is None or not self._visible(record):
                error: Exception = neutron_errors.NotFound(message=f"Floating IP {floating_ip_id} could not be found")
                raise error
            return record

        def create_floatingip(self, body: dict[str, Any]) -> dict[str, Any]:
            wanted = body["floatingip"]
            if wanted.get("floating_network_id") != network["id"]:
                error: Exception = neutron_errors.BadRequest(message="not an external network")
                raise error
            taken = {record["floating_ip_address"] for record in floating.values()}
            address = next(f"{_FLOATING_RANGE}{n}" for n in range(10, 255) if f"{_FLOATING_RANGE}{n}" not in taken)
            record = {"id": uuidutils.generate_uuid(), "floating_ip_address": address,
                      "floating_network_id": network["id"], "port_id": None, "fixed_ip_address": None,
                      "router_id": None, "status": "DOWN", "description": "", "dns_domain": "", "dns_name": "",
                      "tenant_id": self._project, "project_id": self._project}
            floating[record["id"]] = record
            return {"floatingip": seen(record)}

        def show_floatingip(self, floating_ip_id: str, **params: Any) -> dict[str, Any]:
            return {"floatingip": seen(self._mine(floating_ip_id))}

        def list_floatingips(self, retrieve_all: bool = True, **params: Any) -> dict[str, Any]:
            params.pop("fields", None)
            shown = [seen(record) for record in list(floating.values()) if self._visible(record)]
            return {"floatingips": [item for item in shown
                                    if all(item.get(key) == value for key, value in params.items())]}

        def update_floatingip(self, floating_ip_id: str, body: dict[str, Any]) -> dict[str, Any]:
            record = self._mine(floating_ip_id)
            port_id = body["floatingip"].get("port_id")
            if port_id is not None and port_id not in fixture._ports:
                error: Exception = neutron_errors.NotFound(message=f"Port {port_id} could not be found")
                raise error
            record.update(port_id=port_id, status="ACTIVE" if port_id else "DOWN",
                          fixed_ip_address=body["floatingip"].get("fixed_ip_address") if port_id else None)
            return {"floatingip": seen(record)}

        def delete_floatingip(self, floating_ip_id: str) -> None:
            floating.pop(self._mine(floating_ip_id)["id"])

    client_for = nova_neutron.get_client

    def get_client(context: Any, admin: bool = False) -> Client:
        return Client(client_for(context, admin=admin), context)

    box.useFixture(fixtures.MonkeyPatch("nova.network.neutron.get_client", get_client))
