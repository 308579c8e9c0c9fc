"""Benchmark: the compiled compute contract against real Nova, field by field, at every microversion.

    python benchmarks/contract_vs_nova.py [--answers FILE] [--state FILE] [--details] [--json FILE]

Boots nova-box (or uses a running one, ``--state FILE``), creates through the public API what the list and
show operations need (a server with metadata, a tag and a volume attachment, a private flavor with an extra
spec, a keypair, an aggregate with a host and metadata, a server group, a console
token), then sends every list and show operation of the compute api-ref (the GET operations, except the
three os-hosts power actions) at every microversion from 2.1 to 2.104, as admin. Each answer is compared
with the contract's projection of that operation at that version (``conformance.openapi.response_schema``).
``--answers FILE`` keeps Nova's answers: recorded when the file does not exist, replayed without booting
Nova when it does (so the same answers can be compared with another compiler's contract, e.g. main's:
``PYTHONPATH=/path/to/main python benchmarks/contract_vs_nova.py --answers FILE``).

Prints, over the answers that are a 2xx JSON body of an operation the contract serves at that version:

- field presence: of the fields Nova returns (every key, nested ones included, array items merged; the keys
  of a map the contract documents as free-form or keyed by name are not fields), and of the fields the
  contract documents at a version where Nova lacks them but returns them at another version of the same
  operation, the share on which the contract agrees (documented at that version if and only if returned);
- types: of the documented fields Nova returns with a non-null value, the share whose JSON type the
  contract allows;
- required: of the fields the contract requires at that version in an object Nova returns, the share Nova
  returns in every such object;
- nullability: of the documented fields Nova returns as null, the share the contract says may be null;
- boundaries: Nova's operation boundaries, the versions at which an operation's answer changes from the
  version before (starts or stops being served, or gains or loses fields), and how many of them the
  contract places at the same version with the same change; and the contract's boundaries Nova lacks.

Figures are printed, never asserted. ``--details`` lists every disagreement.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
import uuid
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, quote, urlparse

from conformance.apiref import cache, sources
from conformance.apiref.samples import json_kind
from conformance.model import ApiRef, Microversion, Operation
from conformance.novabox.client import Response, call, fresh_server, load_state, wait_for
from conformance.openapi import response_schema

FIRST, LAST = Microversion(2, 1), Microversion(2, 104)
ACTIONS = frozenset({"/os-hosts/{host_name}/reboot", "/os-hosts/{host_name}/shutdown", "/os-hosts/{host_name}/startup"})
"""GET operations that act rather than read: not sent."""


def versions() -> list[Microversion]:
    return [Microversion(2, minor) for minor in range(FIRST.minor, LAST.minor + 1)]


# -- Nova's answers -------------------------------------------------------------------------------


class Setup:
    """The resources the list and show operations need, made through the public API as admin."""

    def __init__(self, state: dict[str, Any]) -> None:
        self.state = state
        self.base = str(state["url"]).rstrip("/")
        self.root = self.base.rsplit("/", 1)[0]
        self.token = state["tokens"]["admin"]
        self.values: dict[str, str] = {}
        self.hypervisors: dict[str, str] = {}

    def call(self, path: str, method: str = "GET", body: Any = None, version: str = "2.1") -> Response:
        response = call(self.base + path, self.token, method, body, version=version)
        if response.status >= 400:
            raise SystemExit(f"setup: {method} {path} answered {response.status}: {response.raw[:300]!r}")
        return response

    def make(self) -> dict[str, str]:
        state = self.state
        name = f"conformance-contract-{int(time.time())}"
        member = state["projects"]["member"]  # the owner of the server: its usage is not empty
        seeded = state["seeded"][0]
        # As the member: nova-box's NeutronFixture gives addresses to the member project's servers only.
        server = fresh_server(state, name, timeout=120)
        self.call(f"/servers/{server}/metadata", "POST", {"metadata": {"purpose": "conformance"}})
        self.call(f"/servers/{server}/tags/conformance", "PUT", version="2.26")
        volume = str(uuid.uuid4())  # nova-box's CinderFixture fakes any volume it is asked for
        self.call(f"/servers/{server}/os-volume_attachments", "POST", {"volumeAttachment": {"volumeId": volume}})
        console = self.call(f"/servers/{server}/remote-consoles", "POST",
                            {"remote_console": {"protocol": "vnc", "type": "novnc"}}, "2.6").body
        token = parse_qs(urlparse(parse_qs(urlparse(console["remote_console"]["url"]).query)["path"][0]).query)
        flavor = self.call("/flavors", "POST", {"flavor": {
            "name": name, "ram": 64, "vcpus": 1, "disk": 1, "description": "conformance",
            "os-flavor-access:is_public": False}}, "2.55").body["flavor"]["id"]
        self.call(f"/flavors/{flavor}/os-extra_specs", "POST", {"extra_specs": {"hw:numa_nodes": "1"}})
        self.call("/os-keypairs", "POST", {"keypair": {"name": name}}, "2.10")
        aggregate = self.call("/os-aggregates", "POST", {"aggregate": {
            "name": name}}).body["aggregate"]["id"]
        self.call(f"/os-aggregates/{aggregate}/action", "POST", {"add_host": {"host": state["hosts"][0]}})
        self.call(f"/os-aggregates/{aggregate}/action", "POST",
                  {"set_metadata": {"metadata": {"purpose": "conformance"}}})
        group = self.call("/os-server-groups", "POST", {"server_group": {
            "name": name, "policies": ["anti-affinity"]}}).body["server_group"]["id"]
        port = self.call(f"/servers/{server}/os-interface").body["interfaceAttachments"][0]["port_id"]
        addresses = wait_for("the server's addresses", lambda: self.call(f"/servers/{server}/ips").body["addresses"])
        actions = self.call(f"/servers/{server}/os-instance-actions").body["instanceActions"]
        listed = call(f"{self.base}/servers/{server}/os-security-groups", self.token)  # a 500 in nova-box
        groups = listed.body["security_groups"] if listed.status == 200 else []
        extensions = self.call("/extensions").body["extensions"]
        self.values = {
            "server_id": server, "image_id": state["image"], "flavor_id": flavor, "flavor_extra_spec_key":
            "hw:numa_nodes", "keypair_name": name, "aggregate_id": str(aggregate),
            "server_group_id": group, "port_id": port, "network_label": next(iter(addresses)),
            "request_id": actions[0]["request_id"], "security_group_id": groups[0]["id"] if groups else "",
            "alias": extensions[0]["alias"], "console_token": token["token"][0], "tenant_id": member,
            "id": "default", "network_id": state["network"], "host_name": state["hosts"][0],
            "hypervisor_hostname_pattern": state["hosts"][0], "tag": "conformance", "volume_id": volume,
            "migration_id": str(seeded["migration"]), "api_version": "v2.1",
            "before_timestamp": "2030-01-01 00:00:00",
            # Removed APIs answer 410 whatever the id (an unknown id of another would answer 404 at every version,
            # which says nothing of where it is served: those are not sent).
            **dict.fromkeys(("cell_id", "console_id", "instance_id", "security_group_default_rule_id"),
                            str(uuid.uuid4())),
            "fixed_ip": "192.168.1.30", "domain": "example.org", "ip": "192.168.1.30", "name": "conformance",
        }
        self.seeded_server = str(seeded["server"])
        return self.values

    def hypervisor(self, version: Microversion) -> str:
        """The first hypervisor's id at ``version`` (an integer before 2.53, a UUID from it)."""
        key = "uuid" if version >= Microversion(2, 53) else "int"
        if key not in self.hypervisors:
            found = self.call("/os-hypervisors", version=str(version)).body["hypervisors"]
            self.hypervisors[key] = str(found[0]["id"])
        return self.hypervisors[key]

    def url(self, operation: Operation, version: Microversion) -> str | None:
        """The URL to send ``operation`` to at ``version``; None when a path parameter has no value."""
        values = dict(self.values, hypervisor_id=self.hypervisor(version))
        if operation.path.startswith("/images/"):
            values["key"] = "architecture"
        elif "/metadata/" in operation.path:
            values["key"] = "purpose"
        if operation.path.startswith("/servers/{server_id}/migrations"):
            values["server_id"] = self.seeded_server
        missing = [name for name in re.findall(r"{([^}]+)}", operation.path) if not values.get(name)]
        if missing:
            return None
        path = re.sub(r"{([^}]+)}", lambda m: quote(values[m.group(1)], safe=":"), operation.path)
        if operation.path in ("/servers", "/servers/detail"):
            path += "?all_tenants=1"  # the server is the member's
        return (self.root if operation.path.startswith("/{api_version}") or operation.path == "/"
                else self.base) + (path if path != "/" else "/")


def list_and_show(apiref: ApiRef) -> list[Operation]:
    return [o for o in apiref.operations if o.method == "GET" and o.path not in ACTIONS and o.action is None]


def record(apiref: ApiRef, state: dict[str, Any]) -> dict[str, Any]:
    """Send every list and show operation at every version; the answers by operation and version."""
    setup = Setup(state)
    values = setup.make()
    answers: dict[str, Any] = {"values": values, "operations": {}}
    started = time.monotonic()
    sent = 0
    for operation in list_and_show(apiref):
        by_version: dict[str, Any] = {}
        for version in versions():
            url = setup.url(operation, version)
            if url is None:
                break
            response = call(url, setup.token, version=str(version))
            sent += 1
            by_version[str(version)] = {"status": response.status, "body": response.body}
        answers["operations"][f"GET {operation.path}"] = by_version
    answers["seconds"] = time.monotonic() - started
    answers["requests"] = sent
    return answers


# -- the contract's schemas, walked alongside the answers ----------------------------------------


@dataclass
class Documented:
    """What the projection says of one field."""

    types: set[str]
    nullable: bool
    required: bool
    free: bool
    """An object whose keys are not fields (documented without properties, or a map keyed by name)."""


def _merge(schema: dict[str, Any]) -> list[dict[str, Any]]:
    """The alternatives of a schema (anyOf), or the schema itself."""
    return [s for s in schema.get("anyOf", [schema]) if isinstance(s, dict)]


def documented_fields(schema: dict[str, Any]) -> dict[tuple[str, ...], Documented]:
    """Every field path of a projected response schema (array items merged into their array's path)."""
    found: dict[tuple[str, ...], Documented] = {}

    def walk(node: dict[str, Any], path: tuple[str, ...]) -> None:
        options = _merge(node)
        for option in options:
            if "items" in option and isinstance(option["items"], dict):
                walk(option["items"], path)
            properties = option.get("properties", {})
            extra = option.get("additionalProperties")
            if isinstance(extra, dict):
                # A map keyed by names: each value is a field named `*`.
                kind = extra.get("type")
                kinds = set(kind if isinstance(kind, list) else [kind] if kind else [])
                found[(*path, "*")] = Documented(kinds - {"null"}, "null" in kinds, False, False)
                walk(extra, (*path, "*"))
            # Required only where every alternative of the object requires it (`{}` may stand for the object).
            objects = [o for o in options if "object" in (o.get("type"), *(o.get("type") or [])) or "properties" in o]
            required = set(option.get("required", [])).intersection(*(set(o.get("required", [])) for o in objects))
            for name, child in properties.items():
                types: set[str] = set()
                free = False
                for alternative in _merge(child):
                    kind = alternative.get("type")
                    types.update(kind if isinstance(kind, list) else [kind] if kind else [])
                    items = alternative.get("items")
                    if "array" in types and not isinstance(items, dict):
                        free = True  # an array whose items the contract does not describe
                        continue
                    inner = items if isinstance(items, dict) else alternative
                    if "object" in types or "properties" in alternative or isinstance(items, dict):
                        free = free or (not inner.get("properties") and not isinstance(
                            inner.get("additionalProperties"), dict))
                previous = found.get((*path, name))
                entry = Documented(types - {"null"}, "null" in types, name in required, free)
                if previous is not None:
                    entry.types |= previous.types
                    entry.nullable |= previous.nullable
                    entry.required &= previous.required
                found[(*path, name)] = entry
                walk(child, (*path, name))

    walk(schema, ())
    return found


@dataclass
class Seen:
    """What Nova returned for one field path."""

    kinds: set[str] = field(default_factory=set)
    null: bool = False
    missing: bool = False
    """Absent from some object that holds its siblings."""


def live_fields(body: Any, documented: dict[tuple[str, ...], Documented]) -> tuple[dict[tuple[str, ...], Seen],
                                                                                   set[tuple[str, ...]]]:
    """Every field path of Nova's answer, and the paths of the objects it returned (a map's keys become ``*``)."""
    seen: dict[tuple[str, ...], Seen] = {}
    objects: set[tuple[str, ...]] = set()
    instances: dict[tuple[str, ...], list[set[str]]] = defaultdict(list)

    def walk(value: Any, path: tuple[str, ...]) -> None:
        if isinstance(value, list):
            for item in value:
                walk(item, path)
            return
        if not isinstance(value, dict):
            return
        documented_here = documented.get(path)
        if documented_here is not None and documented_here.free:
            return  # a free-form object: its keys are not fields
        keyed = (*path, "*") in documented or any(p[:len(path) + 1] == (*path, "*") for p in documented)
        objects.add(path)
        instances[path].append(set(value))
        for key, child in value.items():
            name = "*" if keyed else key
            entry = seen.setdefault((*path, name), Seen())
            if child is None:
                entry.null = True
            else:
                entry.kinds.add(json_kind(child))
            walk(child, (*path, name))

    walk(body, ())
    for path, keys in instances.items():
        for name in {k for ks in keys for k in ks}:
            if any(name not in ks for ks in keys) and (*path, name) in seen:
                seen[(*path, name)].missing = True
    return seen, objects


def _allowed(kinds: set[str], types: set[str]) -> bool:
    return not types or all(k in types or (k == "integer" and "number" in types) for k in kinds)


# -- the comparison -----------------------------------------------------------------------------------


@dataclass
class Tally:
    """Agreements and disagreements of one measure, with what disagreed."""

    agree: int = 0
    total: int = 0
    misses: list[str] = field(default_factory=list)

    def add(self, ok: bool, what: str) -> None:
        self.total += 1
        if ok:
            self.agree += 1
        else:
            self.misses.append(what)

    def __str__(self) -> str:
        share = 100.0 * self.agree / self.total if self.total else 100.0
        return f"{share:5.1f}% ({self.agree} of {self.total})"


@dataclass
class Result:
    presence: Tally = field(default_factory=Tally)
    types: Tally = field(default_factory=Tally)
    required: Tally = field(default_factory=Tally)
    nullability: Tally = field(default_factory=Tally)
    boundaries: Tally = field(default_factory=Tally)
    extra_boundaries: list[str] = field(default_factory=list)
    judged: int = 0
    not_judged: Counter[str] = field(default_factory=Counter)


def _dotted(path: tuple[str, ...]) -> str:
    return ".".join(path) or "the body"


def compare(apiref: ApiRef, answers: dict[str, Any]) -> Result:
    result = Result()
    fault = apiref.info.fault.shape if apiref.info.fault else "named"
    for operation in list_and_show(apiref):
        label = f"GET {operation.path}"
        by_version = answers["operations"].get(label, {})
        if not by_version:
            result.not_judged["no answers recorded (a path parameter had no value)"] += 1
            continue
        live: dict[Microversion, tuple[str, frozenset[tuple[str, ...]]]] = {}
        contract: dict[Microversion, tuple[str, dict[tuple[str, ...], Documented], bool]] = {}
        observable: set[tuple[str, ...]] = set()
        per_version: dict[Microversion, tuple[dict[Any, Documented], dict[Any, Seen], set[Any]]] = {}
        for text, answer in by_version.items():
            version = Microversion.parse(text)
            status, body = answer["status"], answer["body"]
            serves = version in operation.versions and not operation.removed
            statuses = [c.status for c in operation.normal_codes if version in c.versions and c.status != 204]
            schema = next((s for s in (response_schema(operation, st, version, fault) for st in statuses) if s), None)
            documented = documented_fields(schema) if schema is not None else {}
            free = schema is not None and not schema.get("properties") and "additionalProperties" not in schema
            contract[version] = ("served" if serves else "not served", documented, free)
            if status >= 500:
                continue
            paths = raw_paths(body) if 200 <= status < 300 else frozenset()
            live[version] = ("served" if 200 <= status < 300 else "not served" if status in (404, 410)
                             else f"status {status}", paths)
            observable |= paths
            if 200 <= status < 300 and isinstance(body, dict) and not free:
                seen, objects = live_fields(body, documented)
                per_version[version] = (documented, seen, objects)
        if not any(200 <= a["status"] < 300 and isinstance(a["body"], dict) for a in by_version.values()):
            result.not_judged[f"never a 2xx JSON answer ({sorted({a['status'] for a in by_version.values()})})"] += 1
        guided = {path for _, seen, _ in per_version.values() for path in seen}
        for version, (documented, seen, objects) in sorted(per_version.items(), key=lambda kv: kv[0]):
            if contract[version][0] != "served":
                continue
            result.judged += 1
            where = f"{label} @{version}"
            for path, entry in seen.items():
                doc = documented.get(path)
                result.presence.add(doc is not None, f"{where}: `{_dotted(path)}` returned, not documented")
                if doc is None:
                    continue
                if entry.kinds:
                    result.types.add(_allowed(entry.kinds, doc.types), (
                        f"{where}: `{_dotted(path)}` is {'/'.join(sorted(entry.kinds))}, documented "
                        f"{'/'.join(sorted(doc.types)) or 'any'}"))
                if entry.null:
                    result.nullability.add(doc.nullable, f"{where}: `{_dotted(path)}` is null, "
                                           "documented as never null")
            for path, doc in documented.items():
                if path[:-1] not in objects:
                    continue
                if path not in seen and path in guided:
                    result.presence.add(False, f"{where}: `{_dotted(path)}` documented, not returned "
                                        "at this version (returned at others)")
                if doc.required:
                    entry = seen.get(path)
                    how = "missing" if entry is None else "missing from some"
                    result.required.add(entry is not None and not entry.missing,
                                        f"{where}: required `{_dotted(path)}` {how}")
        _boundaries(label, live, contract, observable, result)
    return result


def raw_paths(body: Any) -> frozenset[tuple[str, ...]]:
    """Every key path of an answer, array items merged: what Nova returns, read without the contract."""
    found: set[tuple[str, ...]] = set()
    pending: list[tuple[tuple[str, ...], Any]] = [((), body)]
    while pending:
        path, value = pending.pop()
        if isinstance(value, list):
            pending.extend((path, item) for item in value)
        elif isinstance(value, dict):
            for key, child in value.items():
                found.add((*path, key))
                pending.append(((*path, key), child))
    return frozenset(found)


def lookup(documented: dict[tuple[str, ...], Documented], free: bool, path: tuple[str, ...]) -> str:
    """``yes`` when the contract documents the field at ``path``, ``free`` when it lies in a free-form object
    (any content), else ``no``. A map's keys are its ``*``."""
    if free:
        return "free"
    current: tuple[str, ...] = ()
    for key in path:
        if current and documented[current].free:
            return "free"
        if (*current, key) in documented:
            current = (*current, key)
        elif (*current, "*") in documented:
            current = (*current, "*")
        else:
            return "no"
    return "yes"


def _boundaries(label: str, live: dict[Microversion, tuple[str, frozenset[tuple[str, ...]]]],
                contract: dict[Microversion, tuple[str, dict[tuple[str, ...], Documented], bool]],
                observable: set[tuple[str, ...]], result: Result) -> None:
    """Nova's boundaries of one operation (read without the contract), each matched against the contract's
    change at that version; and the contract's changes, over what Nova returns, where Nova does not change."""
    for version in versions()[1:]:
        previous = version.previous()
        if previous not in live or version not in live:
            continue
        (was, old), (now, new) = live[previous], live[version]
        (c_was, c_old, f_old), (c_now, c_new, f_new) = contract[previous], contract[version]
        served = (was, now) if was != now else None
        ours_served = (c_was, c_now) if c_was != c_now else None
        judged_paths = was == now == "served"
        added, removed = (new - old, old - new) if judged_paths else (frozenset(), frozenset())
        if served or added or removed:
            wrong = [f"{was} -> {now}"] if served != ours_served else []
            wrong += [f"+{_dotted(p)}" for p in sorted(added) if lookup(c_new, f_new, p) == "no"
                      or lookup(c_old, f_old, p) == "yes"]
            wrong += [f"-{_dotted(p)}" for p in sorted(removed) if lookup(c_old, f_old, p) == "no"
                      or lookup(c_new, f_new, p) == "yes"]
            change = ", ".join([f"{was} -> {now}"] if served else [] + [f"+{_dotted(p)}" for p in sorted(added)]
                               + [f"-{_dotted(p)}" for p in sorted(removed)])
            result.boundaries.add(not wrong, f"{label} @{version}: Nova {change}; the contract misses "
                                  f"{', '.join(wrong)}")
            continue
        if ours_served and not served:
            result.extra_boundaries.append(f"{label} @{version}: the contract {c_was} -> {c_now}; Nova does not "
                                           "change")
        elif judged_paths:
            moved = [p for p in sorted(observable) if (p in new) == (p in old) and
                     {lookup(c_old, f_old, p), lookup(c_new, f_new, p)} == {"yes", "no"}]
            if moved:
                result.extra_boundaries.append(f"{label} @{version}: the contract changes "
                                               f"{', '.join(_dotted(p) for p in moved)}; Nova does not")


# -- the command ----------------------------------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--answers", type=Path, help="Nova's answers: recorded if absent, replayed if present")
    parser.add_argument("--state", type=Path, help="a running nova-box's state file (else one is booted)")
    parser.add_argument("--details", action="store_true", help="list every disagreement")
    parser.add_argument("--json", type=Path, help="write the figures and disagreements as JSON")
    args = parser.parse_args()

    started = time.monotonic()
    apiref = cache.load(sources.for_service("compute"))
    if args.answers is not None and args.answers.exists():
        answers = json.loads(args.answers.read_text(encoding="utf-8"))
        print(f"answers: replayed from {args.answers} ({answers['requests']} requests recorded)")
    else:
        if args.state is not None:
            answers = record(apiref, load_state(args.state))
        else:
            from conformance.novabox import NovaBox

            with NovaBox(seed=1) as box:
                answers = record(apiref, box.state)
        print(f"answers: {answers['requests']} requests to nova-box in {answers['seconds']:.0f} s")
        if args.answers is not None:
            args.answers.write_text(json.dumps(answers), encoding="utf-8")
    result = compare(apiref, answers)
    operations = len(list_and_show(apiref))
    print(f"contract: {apiref.info.origin}, {operations} list and show operations, "
          f"{result.judged} answers judged (operation and version), {FIRST}..{LAST}")
    for reason, count in sorted(result.not_judged.items()):
        print(f"  not judged: {count} operations: {reason}")
    print(f"field presence: {result.presence}")
    print(f"types:          {result.types}")
    print(f"required:       {result.required}")
    print(f"nullability:    {result.nullability}")
    print(f"boundaries:     {result.boundaries.agree} of {result.boundaries.total} Nova boundaries placed "
          f"right; {len(result.extra_boundaries)} contract boundaries Nova does not have")
    print(f"time: {time.monotonic() - started:.0f} s")
    tallies = {"presence": result.presence, "types": result.types, "required": result.required,
               "nullability": result.nullability, "boundaries": result.boundaries}
    if args.details:
        for name, tally in tallies.items():
            for miss in _grouped(tally.misses):
                print(f"{name}: {miss}")
        for extra in result.extra_boundaries:
            print(f"extra boundary: {extra}")
    if args.json is not None:
        args.json.write_text(json.dumps({name: {"agree": t.agree, "total": t.total, "misses": t.misses}
                                         for name, t in tallies.items()} | {"extra": result.extra_boundaries},
                                        indent=1), encoding="utf-8")
    return 0


def _grouped(misses: list[str]) -> Iterator[str]:
    """The disagreements, those repeated across versions folded into one line with the versions."""
    folded: dict[str, list[str]] = defaultdict(list)
    for miss in misses:
        match = re.match(r"(GET \S+) @(\d+\.\d+): (.*)", miss)
        if match is None:
            folded[miss].append("")
            continue
        folded[f"{match.group(1)}: {match.group(3)}"].append(match.group(2))
    for text, where in folded.items():
        versions_ = [v for v in where if v]
        yield f"{text} [{_span(versions_)}]" if versions_ else text


def _span(texts: list[str]) -> str:
    numbers = sorted({Microversion.parse(t).minor for t in texts})
    spans, start, last = [], numbers[0], numbers[0]
    for n in numbers[1:] + [None]:  # type: ignore[list-item]
        if n is not None and n == last + 1:
            last = n
            continue
        spans.append(f"2.{start}" if start == last else f"2.{start}-2.{last}")
        if n is not None:
            start = last = n
    return ", ".join(spans)


if __name__ == "__main__":
    sys.exit(main())
