"""Recovering the tree of a body from the api-ref's flat parameter list.

The api-ref lists body parameters flat: ``migrations`` (array), then
``created_at``, ``dest_compute``... which are the fields of each migration.
:func:`build_tree` puts each parameter where the samples of the same operation
show its key, falls back on the listed order where they do not, and reports
what it could not place and where the samples contradict the list.

Placement, for each parameter in listed order:

1. A dotted name (``flavor.extra_specs.key``) names its parents; the wire name
   is the last segment, and the Field's parameter carries that name.
2. Otherwise the samples decide: the parameter goes under a placed container
   whose sample objects have its key. Of several, the deepest *open* one wins
   (the open containers are the chain leading to the last placed parameter);
   a closed one is reopened only with a ``wrong-ordering`` defect.
3. A key the samples show only under a container listed later (a child listed
   before its parent) is placed after the pass, with a ``wrong-ordering`` defect.
4. Maps keyed by name: a placed object whose sample keys are names the list does not document, and whose
   values hold what is listed next, is *keyed* (the audit log's ``log``: one entry per host); ``key`` and
   ``value`` listed right after such an object, or a name after which the list goes on with what its values
   hold (``network_label`` after ``addresses``), are its *placeholders*. The body itself is a map only when
   keyed by what the path names (``{network_label}``).
5. A parameter no sample shows goes where the operation's other samples in the tree (``hints``: the same file
   at other versions) show it; else under the deepest open container that is not opaque (an object whose
   sample keys are none of them documented, such as ``metadata``). When the next parameter the samples
   place closes some of those containers, the choice is a guess: ``unplaced-parameter``.

A ``none`` value (an action's argument that is not read) the samples show as an object of fields that all come
in later is ``none`` before the first of them.

An object listed with no fields of its own whose description names them ("including ``in_use``, ``limit`` and
``reserved``") holds those, each required, of the type the samples give it.

A parameter whose description says it "is a top-level key in the request body" goes at the root (nova's
``os:scheduler_hints``, listed after the fields of ``server``). In a list that writes nested fields with
dotted names, an undotted name goes no deeper than the containers those names name. An array named
``links`` (or ``*_links``) with no listed fields holds links.

The samples are then checked against the tree (:mod:`conformance.apiref.sample_checks`).
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Sequence

from conformance.apiref.bodytree import CONTAINER_TYPES, JSON_KINDS, MAP_PLACEHOLDERS, Node, dotted
from conformance.apiref.sample_checks import SampleChecks
from conformance.apiref.samples import KeyPath, SampleIndex
from conformance.model import Defect, Field, MicroversionRange, Parameter, Sample

__all__ = ["CONTAINER_TYPES", "JSON_KINDS", "build_tree"]

def build_tree(parameters: Sequence[Parameter], samples: Sequence[Sample], *, keys: frozenset[str] = frozenset(),
               hints: Sequence[Sample] | Callable[[], Sequence[Sample]] = ()) -> tuple[tuple[Field, ...], list[Defect]]:
    """Nest the flat body parameters of one side of an operation, guided by its samples.

    ``parameters`` are the body parameters of the request (or of the response)
    in listed order; ``samples`` that side's examples. ``keys`` are the operation's path
    parameters: a body keyed by one of them is a map (``GET /servers/{id}/ips/{network_label}``).
    ``hints`` are other samples of the same operation that the api-ref does not include (the same file
    at other versions), or what gives them when first needed: they only settle where a parameter no
    included sample shows belongs. Returns
    the top-level Fields, each with its children, and the defects found (see the module doc).

    Example: parameters ``migrations`` (array), ``id``, ``status`` and a sample
    ``{"migrations": [{"id": 1, "status": "done"}]}`` give one Field
    ``migrations`` with the children ``id`` and ``status``, complete, and no defect.
    Raises nothing: what cannot be placed is reported as a Defect.
    """
    builder = _TreeBuilder(parameters, samples, keys, hints)
    builder.place_all()
    builder.check_samples()
    return _whole_arrays(builder.fields(builder.root), samples), builder.defects


def _whole_arrays(fields: tuple[Field, ...], samples: Sequence[Sample]) -> tuple[Field, ...]:
    """Mark the top-level array that is the body itself: the only field of its versions, and every sample of
    those versions a bare JSON list (the api-ref lists the array by a name the wire never carries)."""
    marked = []
    for field in fields:
        versions = field.parameter.versions
        mine = [s for s in samples if s.microversion is None or s.microversion in versions]
        alone = not any(other is not field and not other.parameter.versions.intersect(versions).empty
                        for other in fields)
        if (field.parameter.type.strip().lower() in ("array", "list") and alone and mine
                and all(isinstance(s.body, list) for s in mine)):
            field = dataclasses.replace(field, whole=True)
        marked.append(field)
    return tuple(marked)


_TOP_LEVEL = re.compile(r"\bis\s+a\s+top-level\s+key\s+(?:in|of)\s+the\s+(?:request\s+|response\s+)?body", re.I)
"""A parameter's own word that it sits at the root of the body, whatever the list order says."""


class _TreeBuilder(SampleChecks):
    """The state of one build_tree call (the checks against the samples: :class:`SampleChecks`)."""

    def __init__(self, parameters: Sequence[Parameter], samples: Sequence[Sample], keys: frozenset[str] = frozenset(),
                 hints: Sequence[Sample] | Callable[[], Sequence[Sample]] = ()) -> None:
        self.parameters = parameters
        self.keys = keys
        self._hints = hints
        self._hint_index: SampleIndex | None = None
        self.samples = samples
        self.index = SampleIndex.build(samples)
        self.root = Node(None, -1, ())
        self.containers: dict[KeyPath, list[Node]] = {(): [self.root]}
        self.stack: list[Node] = [self.root]
        self.defects: list[Defect] = []
        self.names = {self._wire_name(p)[0] for p in parameters}
        # Where each parameter went, and how: "sample", "listed" or "deferred".
        self.placed: dict[int, tuple[Node, str]] = {}
        self.guesses: list[tuple[int, list[Node]]] = []
        self.complete: dict[int, bool] = {}
        # Maps: the path of an object keyed by names -> the node whose children are the fields of each value.
        self.maps: dict[KeyPath, Node] = {}
        # The depth of the shallowest container a dotted name named: in such a list an undotted name is no
        # deeper (`links` after `image` in PUT /servers/{id} is the server's, not the image's).
        self.dotted_depth: int | None = None

    # -- placement ---------------------------------------------------------

    def _wire_name(self, parameter: Parameter) -> tuple[str, tuple[str, ...]]:
        """The key on the wire and the parent names a dotted name gives (``a.b.c`` -> ``c``, ``(a, b)``)."""
        # A stray blank before the colon (`- address : floating_ip`) is no part of the name.
        name = parameter.name.strip()
        if "." not in name or self.index.parents_of(name):
            return name, ()
        *prefix, last = name.split(".")
        return last, tuple(prefix)

    def place_all(self) -> None:
        """Place every parameter (see the module doc for the rules)."""
        deferred: list[tuple[int, list[Node]]] = []
        for position, parameter in enumerate(self.parameters):
            kind = parameter.type.strip().lower()
            if kind not in JSON_KINDS:
                self._defect("unknown-parameter-type", f"`{parameter.name}` has type {parameter.type!r}, "
                             f"which is none of {', '.join(sorted(JSON_KINDS))}", parameter)
            name, prefix = self._wire_name(parameter)
            parent = self._by_dotted_name(parameter, name, prefix) if prefix else None
            if prefix and parent is None:
                parent = self._implicit(parameter, prefix)
            how = "listed"
            if parent is None and _TOP_LEVEL.search(" ".join(parameter.description.split())):
                parent = self.root  # "This is a top-level key in the request body" (nova's os:scheduler_hints)
            if parent is None:
                parent, reopened = self._by_samples(parameter, name, self.stack)
                how = "sample"
                if reopened and parent is not None:
                    self._defect("wrong-ordering", f"`{parameter.name}` belongs in `{dotted(parent.path)}`, but is "
                                 "listed after fields outside it, away from the other fields of its container",
                                 parameter)
            if parent is None:
                parent = self._by_map(parameter, name)
            if parent is None and self.index.parents_of(name):
                deferred.append((position, list(self.stack)))
                continue
            placeholder = bool(prefix) and (name in MAP_PLACEHOLDERS or (
                parent is not None and self._unshown_key(parent, name)))
            if parent is None:
                parent = self._map_of(position, name)
                placeholder = parent is not None
            if parent is None:
                parent = self._by_hints(parameter, name)
            if parent is None:
                parent = self._between(position)
            if parent is None:
                parent = self._open_container(self.stack, dotted=bool(prefix))
                self.guesses.append((position, list(self.stack)))
                how = "listed"
            node = self._attach(position, parent, name, how, placeholder=placeholder)
            if placeholder and not node.is_container and any(
                    p.name.startswith(parameter.name + ".") for p in self.parameters[position + 1:]):
                # A map's key that later dotted names go through (placement's usages.consumer_type.consumer_count):
                # what they name is in its values, an object.
                node.shown = "object"
                self.containers.setdefault(node.path, []).append(node)
                self.stack.append(node)
            if prefix and node.parent is not None:
                depth = len(node.parent.chain()) - 1
                self.dotted_depth = depth if self.dotted_depth is None else min(self.dotted_depth, depth)
            if placeholder and name != "key":
                self.maps[parent.path] = node
        self._place_deferred(deferred)
        self._report_guesses()

    def _implicit(self, parameter: Parameter, prefix: tuple[str, ...]) -> Node | None:
        """The container a dotted name's prefix names when none is listed for its versions, made from the samples
        (placement's ``usages.consumer_type`` at 1.38, whose ``usages`` the api-ref lists for 1.9 - 1.36 only);
        None when the samples show no object there."""
        if not self.index.has_object(prefix):
            return None
        node = self.root
        for depth, segment in enumerate(prefix):
            child = next((c for c in node.children if c.name == segment and c.is_container
                          and not c.versions.intersect(parameter.versions).empty), None)
            if child is None:
                if not self.index.has_object(prefix[:depth + 1]):
                    return None
                made = dataclasses.replace(parameter, name=segment, type="object", required=True, description="",
                                           nullable=False)
                child = Node(made, self.parameters.index(parameter), node.path + (segment,), segment, node)
                node.children.append(child)
                self.containers.setdefault(child.path, []).append(child)
            node = child
        return node

    def _unshown_key(self, parent: Node, name: str) -> bool:
        """Whether ``name`` stands for any key of ``parent``: no sample shows it there, where the samples show keys
        no parameter names (a consumer type, a resource class)."""
        if parent.keyed:
            return False  # what a map lists describes its values, not its keys
        pattern = tuple(None if n.placeholder else n.name for n in parent.chain()[1:])
        keys = self.index.keys_like(pattern)
        return bool(keys) and name not in keys and any(key not in self.names for key in keys)

    def _by_dotted_name(self, parameter: Parameter, name: str, prefix: tuple[str, ...]) -> Node | None:
        """The container a dotted name designates, the open ones first; None if no listed one matches."""
        placed = [node for nodes in self.containers.values() for node in nodes if node.parameter is not None]
        ordered = self.stack[::-1] + sorted(placed, key=lambda n: -n.position)
        for node in ordered:
            if node.names()[-len(prefix):] == prefix and node.accepts(name, parameter.versions):
                return node
        # nova writes `security_group.name` under `security_groups`: accept a
        # near miss among the open containers, and say so.
        for node in self.stack[:0:-1]:
            if _near(node.name, prefix[-1]) and node.accepts(name, parameter.versions):
                self._defect("dotted-name-mismatch", f"`{parameter.name}` names the parent `{prefix[-1]}`, "
                             f"but the open container is `{node.name}`", parameter)
                return node
        return None

    def _by_samples(self, parameter: Parameter, name: str, stack: list[Node]) -> tuple[Node | None, bool]:
        """The placed container whose sample objects have ``name``: the deepest open one, else the latest.

        The flag is True when the container chosen is not open (not in ``stack``).
        """
        # The samples of its versions say where it is; when none shows it, those of other versions (nova's samples
        # often stand at another version than a field's own range).
        paths = self.index.parents_in(name, parameter.versions) or self.index.parents_of(name)
        candidates = [
            node
            for path in paths
            for node in self.containers.get(path, ())
            if node.accepts(name, parameter.versions)
        ]
        if self.dotted_depth is not None and "." not in parameter.name:
            shallow = [node for node in candidates if len(node.chain()) - 1 < self.dotted_depth]
            candidates = shallow or candidates
        if not candidates:
            return None, False
        open_ones = [node for node in candidates if node in stack]
        if open_ones:
            return max(open_ones, key=lambda n: len(n.path)), False
        return max(candidates, key=lambda n: n.position), True

    def _by_map(self, parameter: Parameter, name: str) -> Node | None:
        """The node describing each value of a map whose values the samples show holding ``name``.

        The audit log's ``log`` maps each host to ``errors``, ``instances``...: the samples show
        ``log.<host>.errors``; ``addresses`` maps each network label to its addresses. A placed object
        whose sample keys are names the api-ref does not list, and whose values hold ``name``, is a map;
        ``name`` describes its values (under its placeholder, if one was listed, else under the map itself).
        """
        for path in self.index.parents_of(name):
            if not path or path[-1] in self.names:
                continue
            value = self.maps.get(path[:-1])
            if value is None and path[:-1]:  # the body is a map only when a listed placeholder says so
                holders = [n for n in self.containers.get(path[:-1], ()) if n.kind in ("object", "dict")
                           and not any(key in self.names for key in self.index.keys_at(n.path))]
                if not holders:
                    continue
                value = holders[-1]
                value.keyed = True
                self.maps[value.path] = value
            if value is not None and value.accepts(name, parameter.versions):
                return value
        return None

    @property
    def hints(self) -> SampleIndex:
        """The operation's other samples, read when first needed (most parameters are in the included ones)."""
        if self._hint_index is None:
            self._hint_index = SampleIndex.build(self._hints() if callable(self._hints) else self._hints)
        return self._hint_index

    def _by_hints(self, parameter: Parameter, name: str) -> Node | None:
        """The open container that the operation's other samples show holding ``name`` (the deepest)."""
        paths = set(self.hints.parents_of(name))
        open_ones = [node for node in self.stack if node.path in paths and node.accepts(name, parameter.versions)]
        return max(open_ones, key=lambda n: len(n.path)) if open_ones else None

    def _map_of(self, position: int, name: str) -> Node | None:
        """The map whose key ``name`` stands for, when no sample shows ``name`` as a key.

        ``key`` and ``value`` listed right after an object whose sample keys are undocumented names
        (``extra_specs``) are its key and value; so is a name (``network_label``) after which the list goes
        on with what the samples show inside that object's values (``addr`` in ``addresses.private``).
        The body itself may be such a map (``GET /servers/{id}/ips/{network_label}``).
        """
        holder = self.stack[-1]
        if holder.parameter is not None and holder.kind not in ("object", "dict"):
            return None
        keys = self.index.keys_at(holder.path)
        if not keys or any(key in self.names for key in keys) or any(not c.placeholder for c in holder.children):
            return None
        if name in MAP_PLACEHOLDERS:
            return holder
        if holder.parameter is None and name not in self.keys and not (
                position == 0 and keys and all(_UUID.fullmatch(key) for key in keys)):
            # The body is a map only when keyed by what the path names, or by UUIDs its first listed parameter
            # names (placement's POST /allocations, keyed by consumer_uuid): a wrapper misnamed is not.
            return None
        following = self.parameters[position + 1] if position + 1 < len(self.parameters) else None
        if following is None:
            return None
        inside = self.index.parents_of(self._wire_name(following)[0])
        if inside and all(len(p) == len(holder.path) + 1 and p[:-1] == holder.path and p[-1] not in self.names
                          for p in inside):
            return holder
        return None

    def _between(self, position: int) -> Node | None:
        """The map whose values the samples show holding the fields listed just before and just after one they
        do not show (placement's ``min_unit`` between ``max_unit`` and ``reserved`` of each inventory): a map's
        values take an unseen field only so."""
        before = self.placed.get(position - 1)
        if before is None or position + 1 >= len(self.parameters):
            return None
        holder = before[0].parent
        if holder is None or not holder.keyed:
            return None
        after = self._wire_name(self.parameters[position + 1])[0]
        inside = [path for path in self.index.parents_of(after)
                  if len(path) == len(holder.path) + 1 and path[:-1] == holder.path]
        return holder if inside else None

    def _open_container(self, stack: list[Node], dotted: bool = False) -> Node:
        """The deepest open container that can take a field no sample shows."""
        for node in stack[::-1]:
            if self._takes_unseen(node, dotted):
                return node
        return self.root

    def _takes_unseen(self, node: Node, dotted: bool) -> bool:
        """Whether ``node`` may hold a field that no sample shows, listed after its last child.

        Not an object the samples show with none of its keys listed (a map such
        as ``metadata``), nor an array the samples show holding scalars, nor a
        container whose children were listed with dotted names when this one is
        not (``block_device_mapping_v2.boot_index``, then ``config_drive``, which
        is the server's).
        """
        if node.parameter is None:
            return True
        if self.index.holds_scalars(node.path) and not self.index.has_object(node.path):
            return False  # an array of strings (a server group's `members`) holds no fields
        if node.keyed or node.placeholder:
            return False  # a map's values hold only what the samples show there
        if not dotted and node.children and all("." in p.name for p in self._listed(node)):
            return False
        if not self.index.has_object(node.path):
            return True
        return any(key in self.names for key in self.index.keys_at(node.path))

    def _listed(self, node: Node) -> list[Parameter]:
        """The parameters, as listed, of ``node``'s children."""
        return [self.parameters[child.position] for child in node.children]

    def _attach(self, position: int, parent: Node, name: str, how: str, placeholder: bool = False) -> Node:
        parameter = self.parameters[position]
        if parameter.name != name:
            parameter = dataclasses.replace(parameter, name=name)
        node = Node(parameter, position, parent.path + (name,), name, parent, placeholder=placeholder)
        if node.kind not in CONTAINER_TYPES:
            node.shown = self._shown_container(node)
        parent.children.append(node)
        self.placed[position] = (node, how)
        self.stack = parent.chain()
        if node.is_container:
            self.containers.setdefault(node.path, []).append(node)
            self.stack.append(node)
        return node

    def _shown_container(self, node: Node) -> str | None:
        """The container kind the samples show for a scalar-typed parameter that holds parameters listed after it.

        nova documents some wrappers as strings (``version`` in versions.inc,
        ``security_group``, the ``interfaceAttachment`` action): the samples
        show an object there whose keys are the parameters listed next. Those
        fields go under it; the type contradiction is still reported by the
        sample checks (``sample-type-mismatch``).
        """
        if not self.index.has_object(node.path):
            return None
        later = {self._wire_name(p)[0] for p in self.parameters[node.position + 1:]}
        if not any(key in later for key in self.index.keys_at(node.path)):
            return None
        kinds = self.index.kinds(node.path[:-1], node.path[-1])
        return "array" if "array" in kinds and "object" not in kinds else "object"

    def _place_deferred(self, deferred: list[tuple[int, list[Node]]]) -> None:
        """Place the keys the samples show under a container listed after them."""
        progress = True
        while deferred and progress:
            progress, waiting = False, []
            for position, stack in deferred:
                parameter = self.parameters[position]
                name, _ = self._wire_name(parameter)
                parent, _ = self._by_samples(parameter, name, [])
                if parent is None:
                    waiting.append((position, stack))
                    continue
                progress = True
                self._defect("wrong-ordering", f"`{parameter.name}` is listed before its container "
                             f"`{dotted(parent.path)}`", parameter)
                self._attach(position, parent, name, "deferred")
            deferred = waiting
        implied: dict[str, Node] = {}
        for position, stack in deferred:
            parameter = self.parameters[position]
            name, _ = self._wire_name(parameter)
            wrapper = self._unlisted_wrapper(name, implied)
            # A listed container still open takes it (`gizmos` listed where the samples have `gizmo`: misnamed,
            # not missing); with none, the samples' wrapper is implied.
            if wrapper is not None and self._open_container(stack, "." in parameter.name) is self.root:
                # The samples nest it in an object the list leaves out (`security_group` around `name` and
                # `description`): the samples show the nesting, so the object is implied from them.
                if wrapper not in implied:
                    implied[wrapper] = self._imply(wrapper, position, parameter)
                self._defect("implied-container", f"`{parameter.name}` is in the samples only at "
                             f"{dotted((wrapper, name))}, in `{wrapper}`, which the list leaves out; `{wrapper}` "
                             "is read from the samples as an object holding it", parameter)
                self._attach(position, implied[wrapper], name, "sample")
                continue
            where = ", ".join(dotted(path + (name,)) for path in self.index.parents_of(name)[:3])
            if () in self.index.parents_of(name) and "." not in parameter.name and self.root.accepts(
                    name, parameter.versions):
                # No sample of its versions shows it, the samples of other versions show it at the body's root
                # (placement's project_id, listed after a provider's uuid at 1.8 - 1.11).
                self._attach(position, self.root, name, "deferred")
                continue
            through = self._through_maps(name, parameter.versions) if "." not in parameter.name else None
            if through is not None:
                self._defect("wrong-ordering", f"`{parameter.name}` is in the samples only at {where}, where no "
                             f"listed container leads; placed in `{dotted(through.path)}`, through the maps the "
                             "samples show", parameter)
                self._attach(position, through, name, "deferred")
                continue
            parent = self._open_container(stack, "." in parameter.name)
            self._defect("unplaced-parameter", f"`{parameter.name}` is in the samples only at {where}, where no "
                         f"listed container leads; placed in `{dotted(parent.path) or 'the body'}` by list order",
                         parameter)
            self._attach(position, parent, name, "listed")

    def _unlisted_wrapper(self, name: str, implied: dict[str, Node]) -> str | None:
        """The one top-level key under which every sample showing ``name`` has it, when no listed field has it
        (``implied``: those already read from the samples)."""
        paths = self.index.parents_of(name)
        if not paths or any(len(path) != 1 or path != paths[0] for path in paths):
            return None
        wrapper = paths[0][0]
        listed = any(child.name == wrapper and child is not implied.get(wrapper) for child in self.root.children)
        return None if listed else wrapper

    def _imply(self, wrapper: str, position: int, first: Parameter) -> Node:
        """An object at the body's root that the samples show and the list omits, placed where its first field
        is listed."""
        parameter = Parameter(
            name=wrapper, key=wrapper, location="body", required=True, type="object",
            description=f"The object the samples show around `{first.name}` (not listed by the api-ref).",
            versions=MicroversionRange(), nullable=False, source=first.source, definition=first.source)
        node = Node(parameter, position, (wrapper,), wrapper, self.root)
        self.root.children.append(node)
        self.containers.setdefault(node.path, []).append(node)
        return node

    def _through_maps(self, name: str, versions: MicroversionRange) -> Node | None:
        """The container a sample path leads to through placed objects, maps (keys no list documents) and a
        listed container met again there (placement's ``provider_summaries.<uuid>.resources.<class>.capacity``,
        whose ``resources`` the list names once for two places); None when no sample path leads so."""
        for path in self.index.parents_of(name):
            node = self.root
            maps: list[Node] = []  # applied only when the whole path leads somewhere
            made: list[Node] = []
            for segment in path:
                child = next((c for c in node.children if c.name == segment and c.is_container
                              and not c.versions.intersect(versions).empty), None)
                if child is None:
                    child = next((c for c in made if c.parent is node and c.name == segment), None)
                if child is not None:
                    node = child
                elif segment not in self.names and node.parameter is not None and node.kind in ("object", "dict"):
                    maps.append(node)  # a key of a map: its values hold what follows
                elif segment in self.names and node.parameter is not None and (node.keyed or node in maps):
                    listed = next((p for p, q in enumerate(self.parameters) if self._wire_name(q)[0] == segment
                                   and not q.versions.intersect(versions).empty), None)
                    if listed is None:
                        break
                    again = Node(self.parameters[listed], listed, node.path + (segment,), segment, node)
                    if not again.is_container:
                        break
                    made.append(again)
                    node = again
                else:
                    break
            else:
                if node is self.root or not (maps or made):
                    continue
                for holder in maps:
                    holder.keyed = True
                    self.maps.setdefault(holder.path, holder)
                for again in made:
                    assert again.parent is not None
                    again.parent.children.append(again)
                    self.containers.setdefault(again.path, []).append(again)
                return node
        return None

    def _report_guesses(self) -> None:
        """Flag the list-order placements that the next sample-placed parameter does not confirm."""
        for position, stack in self.guesses:
            node, _ = self.placed[position]
            following = next((self.placed[p][0] for p in range(position + 1, len(self.parameters))
                              if p in self.placed and self.placed[p][1] == "sample"), None)
            floor = 0
            if following is not None:
                ancestors = following.parent.chain() if following.parent else [self.root]
                floor = max((i for i, n in enumerate(stack) if n in ancestors or n is self.root), default=0)
            is_dotted = "." in self.parameters[position].name
            choices = [n for n in stack[floor:] if self._takes_unseen(n, is_dotted)]
            if len(choices) > 1 and not node.placeholder:
                names = " or ".join(f"`{dotted(n.path) or 'the body'}`" for n in choices[::-1])
                self._defect("unplaced-parameter", f"`{node.name}` is in no sample and could be in {names}; "
                             f"placed in `{dotted(node.parent.path if node.parent else ()) or 'the body'}` "
                             "by list order", self.parameters[position])

    # -- output --------------------------------------------------------------

    def fields(self, node: Node) -> tuple[Field, ...]:
        """The Fields of ``node``'s children, in listed order."""
        result: list[Field] = []
        for child in sorted(node.children, key=lambda n: n.position):
            assert child.parameter is not None
            parameter = child.parameter
            if child.shown is not None:
                # Read as the samples show it; a value the samples also show as null is nullable.
                null = bool(self.index.kinds(child.path[:-1], child.path[-1]).get("null"))
                parameter = dataclasses.replace(parameter, type=child.shown, nullable=parameter.nullable or null)
            link = _is_link_array(parameter, child, self.index)
            children = self.fields(child)
            complete = self.complete.get(child.position, False)
            if not child.children and (included := _included(parameter, child, self.index)) is not None:
                children, complete = included
            field = Field(parameter, children, complete, placeholder=child.placeholder, keyed=child.keyed, link=link)
            result.extend(_not_read_before(field, child.parameter))
        return tuple(result)

    def _defect(self, code: str, message: str, parameter: Parameter) -> None:
        self.defects.append(Defect(code, message, parameter.source))


_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", re.I)


def _is_link_array(parameter: Parameter, node: Node, index: SampleIndex) -> bool:
    """An array of links (``href``, ``rel``): named ``links`` or ``*_links``, listed with no fields of its own,
    and the samples show it holding objects with ``href`` and ``rel`` (the API guide's Links and References)."""
    if node.children or parameter.type.strip().lower() not in ("array", "list"):
        return False
    if not (parameter.name == "links" or parameter.name.endswith("_links")):
        return False
    keys = set(index.keys_at(node.path))
    return not index.has_object(node.path) or {"href", "rel"} <= keys


def _not_read_before(field: Field, written: Parameter) -> tuple[Field, ...]:
    """A ``none`` value (not read: ``{"unshelve": null}``) the samples show as an object of fields that all come in
    at later versions: ``none`` before the first of them, the object from then on (nova's unshelve, whose
    ``availability_zone`` comes in at 2.77: before it, any value is taken)."""
    firsts = [child.parameter.versions.min for child in field.children]
    if written.type.strip().lower() != "none" or field.parameter.type == written.type or not firsts or None in firsts:
        return (field,)
    first = min(version for version in firsts if version is not None)
    before = field.parameter.versions.intersect(MicroversionRange(None, first.previous()))
    if before.empty:
        return (field,)
    after = field.parameter.versions.intersect(MicroversionRange(first, None))
    return (Field(dataclasses.replace(written, versions=before)),
            dataclasses.replace(field, parameter=dataclasses.replace(field.parameter, versions=after)))


_INCLUDING = re.compile(r"\bincluding\s+(?:the\s+)?((?:``\w+``|\w+)(?:\s*,\s*(?:``\w+``|\w+))*,?\s+and\s+"
                        r"(?:``\w+``|\w+))")


def _included(parameter: Parameter, node: Node, index: SampleIndex) -> tuple[tuple[Field, ...], bool] | None:
    """The fields of an object listed with none of its own, named by its description and typed by the samples:
    nova's ``cores_quota_details`` ("The object of detailed cores quota, including in_use, limit and reserved
    number of cores"), cinder's ``volumes_number_usage`` ("including ``in_use``, ``limit`` and ``reserved``
    attributes"). Each named key is required, of the one JSON type the samples give it; the object is complete
    when the samples show no other key. None unless every named key has a type in the samples at the object."""
    if parameter.type.strip().lower() != "object":
        return None
    match = _INCLUDING.search(" ".join(parameter.description.split()))
    if match is None:
        return None
    names = [name.strip("`") for name in re.split(r"\s*,\s*(?:and\s+)?|,?\s+and\s+", match.group(1)) if name]
    fields = []
    for name in names:
        kinds = index.kinds(node.path, name)
        typed = sorted(kind for kind in kinds if kind != "null")
        if len(typed) != 1:
            return None
        fields.append(Field(dataclasses.replace(
            parameter, name=name, key=f"{parameter.key}.{name}", required=True, type=typed[0],
            description=f"Included in ``{parameter.name}``, as its description says; typed as the samples show.",
            nullable="null" in kinds, format=None, empty=False)))
    return tuple(fields), set(index.keys_at(node.path)) == set(names)


def _near(actual: str, written: str) -> bool:
    """Names that differ by a plural ``s`` or a prefix: ``security_groups`` and ``security_group``."""
    return actual.rstrip("s") == written.rstrip("s") or actual.startswith(written) or written.startswith(actual)
