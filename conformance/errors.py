"""Errors raised by conformance.

Every error that a user can cause by what they feed in (an api-ref, a version,
a target) derives from :class:`ConformanceError`; the CLI prints its message
and exits 2, never a traceback.

    ConformanceError
    ├── InputError            bad input, located at a file and line
    │   ├── RSTError          malformed reStructuredText or directive usage
    │   ├── ParametersError   malformed parameters.yaml, unknown or invalid key
    │   └── SampleError       a literalinclude that is missing or is not JSON
    ├── SourceError           an api-ref that cannot be obtained
    │   └── IntegrityError    a download whose sha256 differs from the pin
    ├── VersionError          an unknown or malformed microversion or release
    └── TargetError           a deployment that cannot be reached or understood
"""

from __future__ import annotations

from pathlib import Path

__all__ = [
    "ConformanceError",
    "InputError",
    "IntegrityError",
    "ParametersError",
    "RSTError",
    "SampleError",
    "SourceError",
    "TargetError",
    "VersionError",
]


class ConformanceError(Exception):
    """Base class of every error conformance reports to its user."""


class InputError(ConformanceError):
    """Bad input at a known place: the message starts with ``file:line:``."""

    def __init__(self, message: str, path: str | Path | None = None, line: int | None = None) -> None:
        self.path = str(path) if path is not None else None
        self.line = line
        self.reason = message
        super().__init__(self._format())

    def __reduce__(self) -> tuple[type[InputError], tuple[str, str | None, int | None]]:
        # Keep path and line when the error crosses a process boundary (parallel parsing).
        return (self.__class__, (self.reason, self.path, self.line))

    def _format(self) -> str:
        if self.path is None:
            return self.reason
        if self.line is None:
            return f"{self.path}: {self.reason}"
        return f"{self.path}:{self.line}: {self.reason}"


class RSTError(InputError):
    """Malformed reStructuredText, or an os-api-ref directive used wrongly."""


class ParametersError(InputError):
    """A parameters.yaml that is malformed, or a key it lacks or defines wrongly."""


class SampleError(InputError):
    """A literalinclude sample that is missing or not valid JSON."""


class SourceError(ConformanceError):
    """An api-ref that cannot be obtained (download, cache, local directory)."""


class IntegrityError(SourceError):
    """A downloaded archive whose sha256 does not match the recorded pin."""


class VersionError(ConformanceError):
    """An unknown or malformed microversion, or a release with no pin."""


class TargetError(ConformanceError):
    """A deployment that cannot be reached, authenticated against or understood."""


class TargetTimeout(TargetError):
    """A request to the deployment that got no answer within the request timeout."""


__all__ += ["TargetTimeout"]
