"""The tree of a body while it is built: its nodes, and the JSON kinds each documented type allows.

Shared by :mod:`conformance.apiref.nesting` (placing the parameters) and
:mod:`conformance.apiref.sample_checks` (checking the samples against them).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from conformance.apiref.samples import KeyPath
from conformance.model import MicroversionRange, Parameter

__all__ = ["CONTAINER_TYPES", "JSON_KINDS", "MAP_PLACEHOLDERS", "Node", "dotted"]

JSON_KINDS: dict[str, frozenset[str]] = {
    "string": frozenset({"string"}),
    "str": frozenset({"string"}),
    "integer": frozenset({"integer"}),
    "int": frozenset({"integer"}),
    # A float field may well be shown as 1 in a sample: JSON has one number type.
    "float": frozenset({"integer", "number"}),
    "number": frozenset({"integer", "number"}),
    "boolean": frozenset({"boolean"}),
    "bool": frozenset({"boolean"}),
    "array": frozenset({"array"}),
    "list": frozenset({"array"}),
    "object": frozenset({"object"}),
    "dict": frozenset({"object"}),
    # nova's "none" is the value of an action without arguments: {"pause": null}.
    "none": frozenset({"null"}),
}
"""The JSON kinds a sample value may have, for each type name parameters.yaml uses."""

CONTAINER_TYPES = frozenset({"array", "list", "object", "dict"})
"""The parameters.yaml types whose values hold fields."""

# nova documents a map's entries as `extra_specs.key` and `extra_specs.value`.
MAP_PLACEHOLDERS = frozenset({"key", "value"})


@dataclass(eq=False)
class Node:
    """A placed parameter (or the body itself, with no parameter), while building."""

    parameter: Parameter | None
    position: int
    path: KeyPath
    """Where the samples show it: the wire names, unless it stands for an undocumented key."""
    name: str = ""
    parent: Node | None = None
    children: list[Node] = field(default_factory=list)
    placeholder: bool = False
    """Its name stands for any key of its parent, a map (``network_label`` in ``addresses``, ``key``/``value``)."""
    keyed: bool = False
    """An object keyed by names (a host per key) whose children are the fields of every value."""
    shown: str | None = None
    """The container kind (object, array) the samples show for a parameter documented as a scalar."""

    @property
    def kind(self) -> str:
        """The documented type (``object`` for the body)."""
        return self.parameter.type.strip().lower() if self.parameter else "object"

    @property
    def is_container(self) -> bool:
        """Whether fields may be placed under this node: documented as a container, or shown as one."""
        return self.kind in CONTAINER_TYPES or self.shown is not None

    @property
    def versions(self) -> MicroversionRange:
        return self.parameter.versions if self.parameter else MicroversionRange()

    def names(self) -> tuple[str, ...]:
        """The wire names leading to this node (``("server", "flavor")``)."""
        return tuple(node.name for node in self.chain()[1:])

    def chain(self) -> list[Node]:
        """This node and its ancestors, the body first."""
        nodes: list[Node] = []
        node: Node | None = self
        while node is not None:
            nodes.append(node)
            node = node.parent
        return nodes[::-1]

    def accepts(self, name: str, versions: MicroversionRange) -> bool:
        """Whether a field ``name`` in ``versions`` fits: no child has that name in those versions."""
        return not any(c.name == name and not c.versions.intersect(versions).empty for c in self.children)


def dotted(path: KeyPath) -> str:
    return ".".join(path)
