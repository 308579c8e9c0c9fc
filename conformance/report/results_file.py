"""results.json: the run in the documented, versioned schema (``results.schema.json``)."""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from conformance.errors import InputError
from conformance.results import RunResult

__all__ = ["dumps_results", "load_results", "schema", "validate_results"]


@cache
def schema() -> dict[str, Any]:
    """The JSON Schema of results.json."""
    text = resources.files("conformance.report").joinpath("results.schema.json").read_text(encoding="utf-8")
    loaded: dict[str, Any] = json.loads(text)
    return loaded


def dumps_results(run: RunResult) -> str:
    """results.json's text: ``run.to_dict()``, indented for people, ending in a newline."""
    return json.dumps(run.to_dict(), indent=1, ensure_ascii=False) + "\n"


def validate_results(data: Any) -> list[str]:
    """Every way ``data`` breaks the schema, as ``path: message`` lines (empty when valid)."""
    import jsonschema

    validator = jsonschema.Draft202012Validator(schema())
    errors = sorted(validator.iter_errors(data), key=lambda error: list(error.absolute_path))
    return [f"{'/'.join(str(part) for part in error.absolute_path) or '(top)'}: {error.message}" for error in errors]


def load_results(path: Path) -> tuple[RunResult, dict[str, Any]]:
    """Read results.json: the run and the data as stored (for the digest).

    Raises InputError naming the file when it is missing, not JSON, or not in the schema.
    """
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise InputError(f"cannot read: {error.strerror or error}", path) from None
    except (ValueError, RecursionError) as error:
        raise InputError(f"not JSON: {error}", path) from None
    problems = validate_results(data)
    if problems:
        shown = "; ".join(problems[:5]) + (f" (and {len(problems) - 5} more)" if len(problems) > 5 else "")
        raise InputError(f"not conformance results (results.schema.json): {shown}", path)
    try:
        return RunResult.from_dict(data), data
    except (KeyError, TypeError, ValueError) as error:
        raise InputError(str(error), path) from None
