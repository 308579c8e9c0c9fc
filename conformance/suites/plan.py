"""Which microversions to test each operation at.

The api-ref names the versions where something changes: an operation
appears (2.23), a field appears (uuid at 2.59), a rule changes (2.65). The
plan tests each such boundary from both sides (2.22 and 2.23, 2.58 and 2.59),
plus the lowest and highest version tested, inside the range the target
advertises (narrowed by ``--microversions``). Hypothesis samples the versions
in between in the tests that say so.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from conformance.errors import VersionError
from conformance.model import ApiRef, Field, Microversion, MicroversionRange, Operation

__all__ = ["Plan", "operation_boundaries", "parse_range"]


def parse_range(text: str | None) -> MicroversionRange:
    """``2.1-2.90``, ``2.59-``, ``-2.80`` or ``2.80`` as a range; VersionError when malformed."""
    if not text:
        return MicroversionRange()
    low, separator, high = text.partition("-")
    try:
        if not separator:
            version = Microversion.parse(low.strip())
            return MicroversionRange(version, version)
        return MicroversionRange(Microversion.parse(low.strip()) if low.strip() else None,
                                 Microversion.parse(high.strip()) if high.strip() else None)
    except VersionError as exc:
        raise VersionError(f"--microversions {text!r}: {exc}") from None


def _fields(fields: Iterable[Field]) -> Iterable[Field]:
    for field in fields:
        yield field
        yield from _fields(field.children)


def operation_boundaries(operation: Operation) -> list[Microversion]:
    """The versions where the operation, its parameters, fields, codes or preconditions begin or end."""
    ranges = [operation.versions]
    ranges += [p.versions for p in (*operation.parameters, *operation.response_parameters)]
    ranges += [f.parameter.versions for f in _fields((*operation.request_body, *operation.response_body))]
    ranges += [rule.versions for rule in operation.preconditions]
    ranges += [code.versions for code in (*operation.normal_codes, *operation.error_codes)]
    points: set[Microversion] = set()
    for versions in ranges:
        for outside, inside in versions.boundaries():
            points.update((outside, inside))
    return sorted(points)


@dataclass(frozen=True)
class Plan:
    """The contract, and the microversions to test it at on this target."""

    apiref: ApiRef
    advertised: MicroversionRange
    """What the target's version document advertises."""
    tested: MicroversionRange
    """The advertised range narrowed by --microversions."""

    @classmethod
    def make(cls, apiref: ApiRef, advertised: MicroversionRange, requested: MicroversionRange) -> Plan:
        tested = advertised.intersect(requested)
        if tested.empty:
            raise VersionError(f"--microversions {requested} does not meet the target's range {advertised}")
        return cls(apiref, advertised, tested)

    def versions(self, operation: Operation) -> list[Microversion]:
        """The versions to test ``operation`` at: its boundaries from both sides, and the ends of the range."""
        assert self.tested.min is not None and self.tested.max is not None
        points = {self.tested.min, self.tested.max, *operation_boundaries(operation)}
        return sorted(version for version in points if version in self.tested)

    def served(self, operation: Operation) -> list[Microversion]:
        """The planned versions at which the operation is served."""
        return [version for version in self.versions(operation) if version in operation.versions]

    def unserved(self, operation: Operation) -> list[Microversion]:
        """The planned versions below (or above) the operation's range: it must not be served there."""
        return [version for version in self.versions(operation) if version not in operation.versions]
