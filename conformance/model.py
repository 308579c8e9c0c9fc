"""The compiled model of an api-ref: plain, frozen data.

Everything downstream (the OpenAPI emitter, the projection for one
microversion, the lint, the suites) reads these objects and nothing else of
the api-ref. Each element carries a :class:`Source`, the api-ref file and line
it came from, so that any finding can point at the requirement it checks.

An :class:`Operation` is one ``rest_method`` section. Several sections may
share one method and path (the server actions on ``POST
/servers/{server_id}/action``); each is then a variant told apart by its
``action``, the name of the request body's single top-level key.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import total_ordering

from conformance.errors import VersionError

__all__ = [
    "ApiRef",
    "Defect",
    "Erratum",
    "FaultConvention",
    "Field",
    "Location",
    "Microversion",
    "MicroversionProtocol",
    "MicroversionRange",
    "Operation",
    "Parameter",
    "Precondition",
    "ResponseCode",
    "Sample",
    "Sentence",
    "Source",
    "SourceInfo",
]

Location = str
"""Where a parameter travels: ``path``, ``query``, ``header`` or ``body``."""


@dataclass(frozen=True, order=True)
class Source:
    """A place in the api-ref: a file (relative to the api-ref root) and a 1-based line."""

    path: str
    """File path relative to the api-ref source directory, e.g. ``server-migrations.inc``."""
    line: int
    """1-based line number in that file."""

    def __str__(self) -> str:
        return f"{self.path}:{self.line}"


_MICROVERSION = re.compile(r"^\s*(\d+)\.(\d+)\s*$")


@total_ordering
@dataclass(frozen=True)
class Microversion:
    """A microversion such as 2.59 (compute), 1.39 (placement) or 3.71 (block-storage): ``major.minor``,
    compared numerically."""

    major: int
    """The major version: 2 for the compute API v2.1, 1 for placement, 3 for block-storage."""
    minor: int
    """The minor version: 59 in 2.59 (so 2.100 > 2.99)."""

    @classmethod
    def parse(cls, text: str | float | int) -> Microversion:
        """Parse ``"2.59"`` (or the YAML float ``2.59``).

        Raises :class:`VersionError` for anything else. Beware that YAML reads
        ``2.10`` as the float 2.1; parameters.yaml is loaded with versions kept
        as strings for that reason.
        """
        match = _MICROVERSION.match(str(text))
        if match is None:
            raise VersionError(f"invalid microversion {text!r}: expected MAJOR.MINOR such as 2.59")
        return cls(int(match.group(1)), int(match.group(2)))

    def __lt__(self, other: object) -> bool:
        if not isinstance(other, Microversion):
            return NotImplemented
        return (self.major, self.minor) < (other.major, other.minor)

    def next(self) -> Microversion:
        """The microversion right after this one (2.59 -> 2.60)."""
        return Microversion(self.major, self.minor + 1)

    def previous(self) -> Microversion:
        """The microversion right before this one (2.60 -> 2.59); 2.0 has none."""
        if self.minor == 0:
            raise VersionError(f"{self} has no previous microversion")
        return Microversion(self.major, self.minor - 1)

    def __str__(self) -> str:
        return f"{self.major}.{self.minor}"


@dataclass(frozen=True)
class MicroversionRange:
    """An inclusive range of microversions; ``None`` on a side means unbounded."""

    min: Microversion | None = None
    """The first microversion that has the element, or None if it always had it."""
    max: Microversion | None = None
    """The last microversion that has the element, or None if it still has it."""

    def __contains__(self, version: object) -> bool:
        if not isinstance(version, Microversion):
            return False
        if self.min is not None and version < self.min:
            return False
        return not (self.max is not None and version > self.max)

    def intersect(self, other: MicroversionRange) -> MicroversionRange:
        """The versions in both ranges (may be empty: see :attr:`empty`)."""
        lo = max((v for v in (self.min, other.min) if v is not None), default=None)
        hi = min((v for v in (self.max, other.max) if v is not None), default=None)
        return MicroversionRange(lo, hi)

    @property
    def empty(self) -> bool:
        """True when no microversion is in the range."""
        return self.min is not None and self.max is not None and self.min > self.max

    @property
    def unbounded(self) -> bool:
        """True when the range holds every microversion."""
        return self.min is None and self.max is None

    def boundaries(self) -> Iterator[tuple[Microversion, Microversion]]:
        """Pairs (last version outside, first version inside) and (last inside, first outside)."""
        if self.min is not None and self.min.minor > 0:
            yield (self.min.previous(), self.min)
        if self.max is not None:
            yield (self.max, self.max.next())

    def __str__(self) -> str:
        if self.unbounded:
            return "all"
        lo = str(self.min) if self.min else ""
        hi = str(self.max) if self.max else ""
        return f"{lo}-{hi}"


@dataclass(frozen=True)
class ResponseCode:
    """A documented status code, with the name the api-ref gives it."""

    status: int
    """The HTTP status, e.g. 404."""
    name: str | None
    """The api-ref's label, e.g. ``itemNotFound`` in ``itemNotFound(404)``; None if bare."""
    source: Source
    """Where the code is documented."""
    versions: MicroversionRange = MicroversionRange()
    """The microversions that answer with it: ``200 (microversions 2.0 - 2.100)``; unbounded when unqualified."""
    description: str | None = None
    """What the api-ref says the code means: the ``status.yaml`` text a ``rest_status_code`` list names."""


@dataclass(frozen=True)
class Parameter:
    """One parameter of an operation: a ``- name: key`` line resolved in parameters.yaml."""

    name: str
    """The name on the wire (query key, header name, body field name)."""
    key: str
    """The parameters.yaml key it refers to, e.g. ``migrate_status``."""
    location: Location
    """``path``, ``query``, ``header`` or ``body``."""
    required: bool
    """Whether the api-ref marks it required."""
    type: str
    """The parameters.yaml type as written: string, integer, float, boolean, array, object, none..."""
    description: str
    """The parameters.yaml description (RST)."""
    versions: MicroversionRange
    """The microversions that have it (min_version / max_version)."""
    nullable: bool
    """True when the description says the value may be null."""
    source: Source
    """The ``- name: key`` line in the .inc file."""
    definition: Source
    """The key's line in parameters.yaml."""
    format: str | None = None
    """The value's format: parameters.yaml's ``format`` (``uri``, ``regexp``), or ``date-time`` where the
    description documents an ISO 8601 time stamp."""
    empty: bool = False
    """True when the object may come empty (``{}``) instead of with its required fields, by erratum (nova's
    ``tenant_usage`` for a project without usage)."""
    open: bool = False
    """True when the object takes fields the api-ref does not list (an undeclared one is not refused), by erratum
    (nova's deprecated security group proxies)."""
    errata: tuple[str, ...] = ()
    """The ids of the errata that corrected this parameter (``E-0002``); empty when the api-ref is taken as written."""
    omitted_by: tuple[tuple[str, str], ...] = ()
    """For a response header documented for every operation: the (method, path) whose responses lack it, by
    erratum (nova's ``GET /`` carries no request id)."""


@dataclass(frozen=True)
class Field:
    """A body parameter placed in the tree of the request or response body."""

    parameter: Parameter
    """The parameter this node stands for."""
    children: tuple[Field, ...] = ()
    """The fields of the object (or of each array item) this parameter holds."""
    complete: bool = False
    """True when the api-ref lists this object's fields completely (every sample field is documented)."""
    placeholder: bool = False
    """True when the name stands for any key of the parent object, a map: ``network_label`` in ``addresses``,
    the ``key`` and ``value`` of ``extra_specs``. The parent's other keys are then its values' names."""
    keyed: bool = False
    """True for an object keyed by names (the audit log's ``log``, one entry per host) whose children are the
    fields of every value."""
    link: bool = False
    """True for an array of links (``href``, ``rel``, optional ``type``), as the API guide's Links and
    References defines them and the samples show them."""
    whole: bool = False
    """True for an array that is the body itself, unnamed: every sample of its versions is a bare JSON list
    (placement's ``PUT /resource_providers/{uuid}/aggregates`` before 1.19 takes ``["<uuid>", ...]``)."""

    @property
    def name(self) -> str:
        """The field's name on the wire."""
        return self.parameter.name


@dataclass(frozen=True)
class Sample:
    """A request or response example included with ``literalinclude``."""

    path: str
    """The sample's path relative to the api-ref's repository root, e.g. ``doc/api_samples/...``."""
    microversion: Microversion | None
    """The version the sample shows: the one its path names (``v2.59/`` -> 2.59, placement's
    ``-1.19.json`` -> 1.19), else the first of the range its heading states (``Response Example
    (microversions 1.12 - 1.16)`` -> 1.12); None for unversioned samples."""
    body: object
    """The parsed JSON document (None when the sample is not JSON, e.g. plain text)."""
    is_request: bool
    """True for an example of a request body, False for a response body."""
    source: Source
    """The literalinclude line."""
    partial: bool = False
    """True when the api-ref says the sample shows records that lack keys ("a sample response for the servers
    from the non-responsive part of the deployment"): its required fields are not checked."""


@dataclass(frozen=True)
class Sentence:
    """A sentence of prose kept verbatim (preconditions, postconditions, notes)."""

    text: str
    """The sentence as plain text (RST markup removed)."""
    source: Source
    """Where the sentence starts."""


@dataclass(frozen=True)
class Precondition:
    """A structured precondition rule recovered from a sentence.

    Example: "The migration status must be ``running``" becomes
    ``Precondition(subject="migration", attribute="status", allowed=("running",), ...)``.
    """

    subject: str
    """What the rule is about: ``server``, ``migration``, ``volume``..."""
    attribute: str
    """The attribute constrained: ``status``, ``OS-EXT-STS:task_state``..."""
    allowed: tuple[str, ...]
    """The values the attribute must have for the request to be accepted."""
    versions: MicroversionRange
    """The microversions to which the rule applies."""
    sentence: Sentence
    """The sentence the rule came from."""
    negated: bool = False
    """True when the values are forbidden rather than required ("must not be")."""
    condition: str | None = None
    """The kind of request the rule is limited to, verbatim (``"HARD reboot"``, ``"without parameters"``);
    None when it holds for every request."""


@dataclass(frozen=True)
class Operation:
    """One ``rest_method`` section of the api-ref."""

    method: str
    """The HTTP method, upper case."""
    path: str
    """The path template, e.g. ``/servers/{server_id}/migrations``."""
    title: str
    """The section title, e.g. ``List Migrations``."""
    group: str
    """The title of the file's top section, e.g. ``Server migrations (servers, migrations)``."""
    description: str
    """The prose right after the rest_method line, as plain text."""
    versions: MicroversionRange
    """The microversions that serve it."""
    normal_codes: tuple[ResponseCode, ...]
    """The documented success codes."""
    error_codes: tuple[ResponseCode, ...]
    """The documented error codes."""
    parameters: tuple[Parameter, ...]
    """Request parameters of every location, in the order listed (body ones flat)."""
    request_body: tuple[Field, ...]
    """The request body tree, recovered from the flat list and the samples."""
    response_parameters: tuple[Parameter, ...]
    """Response parameters in the order listed (headers and body, flat)."""
    response_body: tuple[Field, ...]
    """The response body tree."""
    samples: tuple[Sample, ...]
    """Request and response examples."""
    preconditions: tuple[Precondition, ...]
    """Structured rules recovered from the Preconditions section."""
    precondition_text: tuple[Sentence, ...]
    """Every sentence of the Preconditions section, recognised or not."""
    postconditions: tuple[Sentence, ...]
    """Every sentence of the Asynchronous Postconditions section."""
    admin_only: bool
    """True when the api-ref says the default policy allows administrators only."""
    source: Source
    """The rest_method line."""
    action: str | None = None
    """For sections sharing a method and path: the request body's top-level key (``reboot``)."""
    notes: tuple[Sentence, ...] = ()
    """The ``.. note::`` texts of the section."""
    deprecated: bool = False
    """True when the section (or its file) says the API is deprecated."""
    removed: bool = False
    """True when a release removed the API entirely: no microversion of a current deployment serves it."""
    errata: tuple[str, ...] = ()
    """The ids of the errata that corrected the operation itself (its range, whether it was removed, a
    precondition it does not hold, a request body that may be null)."""
    body_nullable: bool = False
    """True when the request body may be JSON null as well as an object (an erratum says so: nova's
    ``POST /os-floating-ips`` takes ``null`` and allocates from its default pool)."""

    @property
    def key(self) -> tuple[str, str]:
        """(method, path): the OpenAPI operation this section belongs to."""
        return (self.method, self.path)

    @property
    def operation_id(self) -> str:
        """A stable identifier derived from the method, path and action."""
        slug = re.sub(r"[^A-Za-z0-9]+", "_", self.path).strip("_") or "root"
        base = f"{self.method.lower()}_{slug}"
        return f"{base}__{self.action}" if self.action else base

    def parameters_in(self, location: Location) -> tuple[Parameter, ...]:
        """The request parameters of one location, in order."""
        return tuple(p for p in self.parameters if p.location == location)


@dataclass(frozen=True)
class Defect:
    """An api-ref defect found while compiling (reported by ``conformance lint``)."""

    code: str
    """A stable identifier, e.g. ``undocumented-sample-field``."""
    message: str
    """What is wrong, in one sentence."""
    source: Source
    """Where it is."""

    def __str__(self) -> str:
        return f"{self.source}: {self.code}: {self.message}"


@dataclass(frozen=True)
class Erratum:
    """A reviewed correction of an api-ref defect, with its evidence (``conformance/errata/<service>.yaml``).

    The contract stays compiled from the api-ref: an erratum corrects individual elements (a field's type
    or nullability, a name, an operation's range), and every element it corrected carries its id.
    """

    id: str
    """A stable identifier: ``E-0001``."""
    kind: str
    """What it corrects: ``nullable``, ``type``, ``required``, ``name``, ``versions``, ``served``, ``header``."""
    source: Source
    """The api-ref line that is wrong (a parameters file's definition, or an .inc line)."""
    says: str
    """What the api-ref says there."""
    truth: str
    """What is true."""
    evidence: str
    """How it is known, one of: ``sample doc/api_samples/...json`` (nova's own api sample at its version),
    ``source nova/...py:LINE`` (the nova source line producing it), ``live ...`` (an exchange with nova-box)."""
    entry: Source
    """Where the erratum is written: ``conformance/errata/compute.yaml:12``."""
    elements: int = 0
    """How many elements of the compiled contract it corrected."""

    def __str__(self) -> str:
        return f"{self.id} ({self.kind}): {self.truth} [{self.evidence}]"


@dataclass(frozen=True)
class FaultConvention:
    """How a service shapes the body of an error response (its ``fault`` in services.toml)."""

    name: str
    """The schema's name among the OpenAPI components: ``ComputeFault``."""
    shape: str
    """``named`` (a key naming the fault: nova, cinder), ``api-sig-errors`` (placement) or ``undocumented``."""
    codes_since: Microversion | None = None
    """From this microversion each error carries a ``code`` (placement's 1.23, errors.inc:22); None: never said."""
    codes: tuple[str, ...] = ()
    """The codes the api-ref defines (``placement.concurrent_update``...); empty: any string."""


@dataclass(frozen=True)
class SourceInfo:
    """Where a compiled api-ref came from."""

    service: str
    """The service type, e.g. ``compute``."""
    origin: str
    """``nova==34.0.0`` for a released sdist, or the local directory."""
    sha256: str | None = None
    """The archive's sha256 when read from a released sdist."""
    api_version: str | None = None
    """The API version the paths belong to (``2.1`` for compute, ``3.0`` for block-storage); None if unknown."""
    paths: str | None = None
    """What the paths are relative to, in one sentence (they are kept as the api-ref writes them)."""
    fault: FaultConvention | None = None
    """The service's error body convention; None when unknown (an ``undocumented`` body named ``Fault``)."""


@dataclass(frozen=True)
class MicroversionProtocol:
    """How a service negotiates microversions, and the range its api-ref advertises.

    The header and token come from the service's description (``conformance/apiref/services.toml``),
    the range from the api-ref's version document, so a client needs no table to speak to any
    service: ``protocol.headers("3.59")`` gives ``{"OpenStack-API-Version": "volume 3.59"}``.
    """

    header: str
    """The request and response header naming the microversion: ``OpenStack-API-Version``."""
    service: str
    """The token before the version in that header: ``compute``, ``placement``, ``volume``."""
    legacy_headers: tuple[str, ...] = ()
    """Older headers that carry the bare version: ``X-OpenStack-Nova-API-Version`` for compute."""
    versions: MicroversionRange = MicroversionRange()
    """The microversions the api-ref's version document advertises (its CURRENT minimum and maximum)."""
    source: Source | None = None
    """Where the api-ref states that range (the version document sample's literalinclude); None if it does not."""

    def value(self, version: Microversion | str) -> str:
        """The header's value for a version: ``"compute 2.59"``, ``"placement latest"``."""
        return f"{self.service} {version}"

    def headers(self, version: Microversion | str, legacy: bool = False) -> dict[str, str]:
        """The request headers selecting ``version``: the header, or with ``legacy`` the legacy ones alone.

        Example: ``headers("2.59")`` is ``{"OpenStack-API-Version": "compute 2.59"}``; for compute
        ``headers("2.59", legacy=True)`` is ``{"X-OpenStack-Nova-API-Version": "2.59"}``.
        """
        if legacy:
            return {name: str(version) for name in self.legacy_headers}
        return {self.header: self.value(version)}


@dataclass(frozen=True)
class ApiRef:
    """A compiled api-ref: its operations and what compiling it found."""

    info: SourceInfo
    """Where it came from."""
    operations: tuple[Operation, ...]
    """Every rest_method section, in document order (files sorted by name)."""
    defects: tuple[Defect, ...] = ()
    """Api-ref defects found while compiling."""
    unrecognised_preconditions: tuple[Sentence, ...] = field(default=())
    """Precondition sentences that did not become structured rules."""
    protocol: MicroversionProtocol | None = None
    """The service's microversion protocol and advertised range; None for a service without microversions."""
    common_parameters: tuple[Parameter, ...] = ()
    """Request parameters documented outside any operation, for every one (request-ids.inc's headers)."""
    common_response_parameters: tuple[Parameter, ...] = ()
    """Response parameters documented outside any operation (``X-Openstack-Request-Id``)."""
    errata: tuple[Erratum, ...] = ()
    """The errata applied while compiling, each with the number of elements it corrected."""

    @property
    def versions(self) -> MicroversionRange:
        """The microversions the api-ref's version document advertises; unbounded without a protocol."""
        return self.protocol.versions if self.protocol is not None else MicroversionRange()

    @property
    def versions_source(self) -> Source | None:
        """The version document sample the advertised range was read from."""
        return self.protocol.source if self.protocol is not None else None

    def named_microversions(self) -> list[Microversion]:
        """Every microversion the api-ref names as a bound, sorted.

        Counts the operations, their request and response parameters (body trees included), response
        codes and preconditions. Example: nova's server migrations give 2.22, 2.23, 2.24, 2.59, 2.80
        among others.
        """
        ranges: list[MicroversionRange] = []
        for operation in self.operations:
            ranges.append(operation.versions)
            ranges.extend(p.versions for p in (*operation.parameters, *operation.response_parameters))
            pending = [*operation.request_body, *operation.response_body]
            while pending:
                node = pending.pop()
                ranges.append(node.parameter.versions)
                pending.extend(node.children)
            ranges.extend(rule.versions for rule in operation.preconditions)
            ranges.extend(code.versions for code in (*operation.normal_codes, *operation.error_codes))
        return sorted({v for r in ranges for v in (r.min, r.max) if v is not None})

    def find(self, method: str, path: str, action: str | None = None) -> Operation:
        """The operation with this method, path and (for variants) action.

        Raises KeyError when there is none.
        """
        for operation in self.operations:
            if operation.method == method.upper() and operation.path == path and operation.action == action:
                return operation
        raise KeyError(f"{method} {path}" + (f" ({action})" if action else ""))
