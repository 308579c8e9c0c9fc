"""The requests and values the resource registry is made of (see :mod:`conformance.suites.registry`).

A :class:`Call` is a request with its templates unresolved; a :class:`Finder` reads a list for one; a
:class:`Maker` creates one; a :class:`Wait` polls until a field reaches a value; a :class:`State` is
reached through actions; a :class:`Saved` value is put back after a change; a :class:`FieldHint` says
what a request field holds; an :class:`Unavailable` answer says a target lacks an optional feature.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

__all__ = ["Call", "FieldHint", "Finder", "Maker", "Saved", "Stale", "State", "Unavailable", "Wait"]


@dataclass(frozen=True)
class Call:
    """A request the suite sends to find, create, change or delete a resource (templates unresolved)."""

    method: str
    """The HTTP method."""
    path: str
    """The path template, relative to the endpoint: ``/servers/{server_id}``."""
    action: str | None
    """The action a ``POST .../action`` names (informational: the body carries it)."""
    version: str | None
    """The microversion header to send: ``2.37``, ``same`` (the test's own), or None (none)."""
    role: str
    """Whose token: ``admin``, ``member``..."""
    body: Any = None
    """The JSON body template, or None."""
    query: Mapping[str, Any] = field(default_factory=dict)
    """Query parameters (templates)."""
    source: str = ""
    """``resources/compute.yaml:12``."""

    @property
    def label(self) -> str:
        """``POST /servers/{server_id}/action createImage``."""
        return f"{self.method} {self.path}" + (f" {self.action}" if self.action else "")


@dataclass(frozen=True)
class Finder:
    """How to find an existing resource through a list (or show) operation."""

    call: Call
    """The list request."""
    items: str
    """The dotted path of the list in the answer (``servers``); empty when the answer is the list; ``.`` when the
    answer is the one item (``GET /resource_providers/{uuid}`` read for its generation)."""
    value: str
    """The dotted path of the value in one item (``id``); ``@key`` takes the item's key in a map."""
    where: Mapping[str, Any] = field(default_factory=dict)
    """Only items with these values (templates)."""
    bind: Mapping[str, str] = field(default_factory=dict)
    """Resources the item names too (``{server_id: instance_uuid}``): found together, parents need not be known."""


@dataclass(frozen=True)
class Wait:
    """Poll a resource until a field reaches one of some values."""

    call: Call
    """The show request."""
    field: str
    """The dotted path of the field (``server.status``)."""
    until: tuple[str, ...]
    """The values that end the wait."""
    fail: tuple[str, ...] = ()
    """Values that end it as a failure (``ERROR``)."""
    idle: str | None = None
    """A field that must also be null before the wait ends (``server.OS-EXT-STS:task_state``)."""


@dataclass(frozen=True)
class Maker:
    """How to create a resource through the public API."""

    call: Call
    """The create request."""
    value: str
    """Where the new value is in the answer (``server.id``), or a template (``{name}``: the name sent)."""
    find: Finder | None = None
    """Read the value afterwards through a list instead (a migration's id)."""
    wait: Wait | None = None
    """Wait for the new resource to be usable."""
    fresh_parents: bool = False
    """Each one needs a parent of its own (one migration per server)."""
    named: bool = True
    """The body carries ``{name}``: an interrupted create is found by it at cleanup."""
    match: str | None = None
    """A regular expression whose first group is the value, within the one found (a token in a URL)."""


@dataclass(frozen=True)
class State:
    """A state a resource can be brought into from its created state."""

    name: str
    """``PAUSED``."""
    do: tuple[Any, ...]
    """The action bodies that bring it there, in order."""
    status: str
    """What the resource's status reads once there."""


@dataclass(frozen=True)
class Stale:
    """How a write that sends a value other than the current one is refused (a generation that moved on)."""

    status: int
    """The status: 409."""
    code: str | None
    """The error code the body carries where the service's errors carry codes (``placement.concurrent_update``)."""
    source: str
    """Where the api-ref says so (``generations.inc:18``)."""
    words: str = ""
    """The api-ref's words."""


@dataclass(frozen=True)
class Saved:
    """A value read before a change, to put back after it."""

    call: Call
    """The request reading it."""
    value: str
    """The dotted path of the value in the answer."""
    without: tuple[str, ...] = ()
    """Keys left out (read-only ones the restoring request refuses)."""


@dataclass(frozen=True)
class FieldHint:
    """What a request field holds, where the api-ref cannot say (which resource it names, our names)."""

    path: str
    """A field name (``name``) or a dotted path suffix (``resize.flavorRef``); array items are skipped."""
    resource: str | None = None
    """The resource whose value the field takes."""
    value: Any = None
    """A template value instead (``null``, ``"{name}"``)."""
    has_value: bool = False
    """True when ``value`` is given (it may be null)."""
    schema: Mapping[str, Any] | None = None
    """JSON Schema keywords narrowing the values hypothesis draws (``{"minimum": 1}``)."""
    why: str = ""
    """The reason, in words."""
    source: str = ""
    """Where the hint is written."""
    within: str | None = None
    """A regular expression over ``METHOD /path [action]``: the operations the hint is limited to."""
    send: bool = False
    """Send the field even where the api-ref makes it optional (one of several is needed, the api-ref says which
    only in prose)."""
    omit: bool = False
    """Never send the optional field (it names something the suite cannot provide: a free port, a device name)."""
    versions: Any = None
    """The microversions the hint holds at (a ``MicroversionRange``; ``versions: "1.12-"`` in the file), where a
    field's form changes with the version (placement's allocations, a list before 1.12, a map after); None: all."""

    def matches(self, path: tuple[str, ...], operation: str = "", version: Any = None) -> bool:
        """Whether the hint is about the field at ``path`` (names from the body's root, array items skipped), in
        ``operation`` at ``version`` (a hint limited to some versions holds at none when the version is unknown)."""
        wanted = tuple(self.path.split("."))
        if self.within is not None and not re.search(self.within, operation):
            return False
        if self.versions is not None and (version is None or version not in self.versions):
            return False
        return path[-len(wanted):] == wanted


@dataclass(frozen=True)
class Unavailable:
    """An answer by which a target says it lacks an optional feature, as the api-ref allows it to."""

    within: str
    """A regular expression over ``METHOD /path [action]``."""
    status: int
    """The status of the answer."""
    message: str
    """A regular expression the answer's text matches."""
    reason: str
    """What the target lacks, in words (with the api-ref's place saying it may)."""
    below: str | None = None
    """Only below this microversion."""

    def covers(self, operation: str, status: int, text: str, version: Any) -> bool:
        """Whether an answer is this one."""
        if status != self.status or not re.search(self.within, operation) or not re.search(self.message, text):
            return False
        return self.below is None or (version is not None and str(version) != "" and _below(version, self.below))


def _below(version: Any, limit: str) -> bool:
    from conformance.model import Microversion

    return bool(Microversion.parse(str(version)) < Microversion.parse(limit))


