"""The parameters and status files an api-ref's directives name, each read once, wherever it lies.

``.. rest_parameters:: images-parameters.yaml`` and ``.. rest_status_code::
error ../status.yaml`` name their file relative to the including file, as
Sphinx resolves it; glance has five parameters files, cinder keeps its
status file one folder up. :class:`Catalogues` reads each file the first time
a directive names it and keeps what it found.

A status file maps each code to its descriptions by reason, ``default``
first::

    401:
      default: |
        User must authenticate before making a request.
      auth_failed: |
        Authentication attempt has failed.
"""

from __future__ import annotations

from pathlib import Path

import yaml

from conformance.apiref.parameters import ParameterCatalogue, load_parameters
from conformance.apiref.sources import ApiRefSource
from conformance.errors import InputError, ParametersError
from conformance.model import Defect

__all__ = ["Catalogues", "StatusFile"]

StatusFile = dict[int, dict[str, str]]
"""A status file: for each code, its descriptions by reason (``default``, ``auth_failed``...)."""


class Catalogues:
    """The parameters and status files of one api-ref, read on first use."""

    def __init__(self, source: ApiRefSource) -> None:
        self.source = source
        self.defects: list[Defect] = []
        """What reading the parameters files found (duplicate keys, incomplete definitions)."""
        self._parameters: dict[Path, ParameterCatalogue] = {}
        self._statuses: dict[Path, StatusFile] = {}
        self._resolved: dict[tuple[str, str], Path] = {}

    def _resolve(self, name: str, including: str, line: int, directive: str) -> Path:
        known = self._resolved.get((name, including))
        if known is not None:
            return known
        path = self.source.resolve_include(name, self.source.root / including)
        if not path.is_relative_to(self.source.repo_root):
            raise InputError(f"{directive} names {name!r}, outside the api-ref's repository", including, line)
        if not path.is_file():
            raise InputError(f"{directive} names {name!r}, which does not exist "
                             f"(looked for {self.source.relative(path)})", including, line)
        self._resolved[(name, including)] = path
        return path

    def parameters(self, name: str, including: str, line: int) -> ParameterCatalogue:
        """The catalogue a ``rest_parameters`` list at ``including:line`` names.

        Raises :class:`InputError` at that line when the file is missing, and
        :class:`ParametersError` at the file's own line when it is malformed.
        """
        path = self._resolve(name, including, line, "rest_parameters")
        catalogue = self._parameters.get(path)
        if catalogue is None:
            catalogue = self._parameters[path] = load_parameters(path, self.source.relative(path))
            self.defects.extend(catalogue.defects)
        return catalogue

    def statuses(self, name: str, including: str, line: int) -> StatusFile:
        """The status file a ``rest_status_code`` list at ``including:line`` names.

        Raises :class:`InputError` at that line when it is missing, and at the
        file's own line when it is not a mapping of codes to descriptions.
        """
        path = self._resolve(name, including, line, "rest_status_code")
        found = self._statuses.get(path)
        if found is None:
            found = self._statuses[path] = _load_statuses(path, self.source.relative(path))
        return found


def _load_statuses(path: Path, relative: str) -> StatusFile:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise ParametersError(f"cannot read status file: {exc}", relative) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        raise ParametersError(f"invalid YAML: {exc.problem or exc.context}", relative,
                              mark.line + 1 if mark else None) from None
    if not isinstance(data, dict):
        raise ParametersError("expected a mapping of status codes to their descriptions", relative)
    statuses: StatusFile = {}
    for code, reasons in data.items():
        if not isinstance(code, int) or not isinstance(reasons, dict):
            raise ParametersError(f"{code!r}: expected a status code mapping reasons to descriptions", relative)
        statuses[code] = {str(reason): str(text or "") for reason, text in reasons.items()}
    return statuses
