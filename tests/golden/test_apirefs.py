"""The six pinned api-refs, compiled whole: counts, coverage of their rest_method lines, protocols, lint.

The coverage is measured against the api-ref's text, not the compiler's output: the method and path of
every ``rest_method`` line, found with a regular expression of its own, must be an operation of the
committed spec. The lines the compiler normalizes (a path without its leading ``/``, a query string, a
template that is no name) are the only ones allowed to differ, and each must map to an operation.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

import conformance.errata as errata_module
from conformance.apiref import cache, services, sources
from conformance.cli import main
from conformance.model import ApiRef
from conformance.openapi.api_samples import tree_evidence

pytestmark = pytest.mark.network

SPECS = Path(__file__).resolve().parents[2] / "specs"
SERVICES = services.service_types()
METHODS = ("get", "put", "post", "delete", "patch", "head", "options")

# (sections, operations): nova's are unchanged since the compiler first read it whole.
COUNTS = {"compute": (251, 203), "placement": (36, 35), "block-storage": (198, 164), "image": (77, 77),
          "identity": (158, 150), "network": (351, 346)}
HEADERS = {"compute": {"name": "OpenStack-API-Version", "service": "compute",
                       "legacy-headers": ["X-OpenStack-Nova-API-Version"]},
           "placement": {"name": "OpenStack-API-Version", "service": "placement"},
           "block-storage": {"name": "OpenStack-API-Version", "service": "volume"},
           "image": None, "identity": None, "network": None}
_REST_METHOD = re.compile(r"^\.\. rest_method::[ \t]*(?:(\S+)[ \t]+(\S+)|\n[ \t]+(\S+)[ \t]+(\S+))", re.M)


def rest_method_pairs(source: sources.ApiRefSource) -> set[tuple[str, str]]:
    """Every (METHOD, path) the api-ref's .inc files write, as written."""
    pairs = set()
    for inc in source.root.glob("*.inc"):
        for match in _REST_METHOD.finditer(inc.read_text(encoding="utf-8")):
            method, path = (match.group(1), match.group(2)) if match.group(1) else (match.group(3), match.group(4))
            pairs.add((method.upper(), path))
    return pairs


def normalized(path: str) -> str:
    """What the compiler reads a written path as: a leading "/", no query string, template names."""
    path = "/" + path.lstrip("/").partition("?")[0]
    return re.sub(r"\{([^}]*)\}", lambda m: "{" + re.sub(r"[^\w.-]+", "_", m.group(1)).strip("_") + "}", path)


@pytest.fixture(scope="module")
def compiled() -> dict[str, ApiRef]:
    return {service: cache.load(sources.for_service(service)) for service in SERVICES}


@pytest.fixture(scope="module")
def specs() -> dict[str, dict[str, Any]]:
    return {service: yaml.load((SPECS / service / "openapi.yaml").read_text(encoding="utf-8"),
                               Loader=yaml.CSafeLoader) for service in SERVICES}


@pytest.mark.parametrize("service", SERVICES)
def test_every_section_is_compiled(compiled: dict[str, ApiRef], service: str) -> None:
    apiref = compiled[service]
    assert (len(apiref.operations), len({o.key for o in apiref.operations})) == COUNTS[service]


@pytest.mark.parametrize("service", SERVICES)
def test_the_spec_covers_the_rest_method_lines(specs: dict[str, dict[str, Any]], service: str) -> None:
    written = rest_method_pairs(sources.for_service(service))
    operations = {(method.upper(), path) for path, item in specs[service]["paths"].items()
                  for method in item if method in METHODS}
    covered = written & operations
    assert len(covered) / len(written) >= 0.95, sorted(written - operations)
    for method, path in written - operations:
        assert normalized(path) != path and (method, normalized(path)) in operations, (method, path)
    assert {(m, normalized(p)) for m, p in written} == operations


@pytest.mark.parametrize("service", SERVICES)
def test_the_spec_says_how_to_speak_to_the_service(specs: dict[str, dict[str, Any]], service: str) -> None:
    info = specs[service]["info"]
    assert info.get("x-openstack-microversion-header") == HEADERS[service]
    assert info["x-openstack-paths"]
    if HEADERS[service] is not None:
        assert info["x-openstack-supported-microversions"]["source"]
    for item in specs[service]["paths"].values():
        for method, operation in item.items():
            if method in METHODS:
                assert operation["x-openstack-source"], (method, operation["operationId"])


def test_the_advertised_ranges(compiled: dict[str, ApiRef]) -> None:
    ranges = {service: (str(apiref.versions), str(apiref.versions_source)) for service, apiref in compiled.items()
              if apiref.protocol is not None}
    assert ranges == {"compute": ("2.1-2.104", "versions.inc:62"), "placement": ("1.0-1.28", "root.inc:50"),
                      "block-storage": ("3.0-3.71", "api-versions.inc:40")}
    # placement 16.0.0's root sample still says 1.28 while its parameters document up to 1.38.
    assert [d.message for d in compiled["placement"].defects if d.code == "version-document-behind"] == [
        "the version document advertises microversions 1.0-1.28, but the api-ref documents microversions up to 1.38"]


@pytest.mark.parametrize("service", SERVICES)
def test_lint_reports_defects_and_never_fails_on_input(service: str, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["lint", "--service", service])
    out, err = capsys.readouterr()
    assert code in (0, 1) and "Traceback" not in err and "conformance: error" not in err
    assert re.search(rf"==\S+: {len(out.splitlines())} defects", err), err


def test_every_shipped_compute_erratum_still_fits_the_api_ref(compiled: dict[str, ApiRef]) -> None:
    """An erratum that no longer fits nova's api-ref (moved, or already right) fails here, not silently."""
    shipped = yaml.safe_load(Path(errata_module.__file__).with_name("compute.yaml").read_text(encoding="utf-8"))
    compute = compiled["compute"]
    assert {e.id for e in compute.errata} == {entry["id"] for entry in shipped["errata"]}
    assert all(e.elements > 0 for e in compute.errata)
    assert [d for d in compute.defects if d.code in ("erratum-stale", "erratum-evidence-missing")] == []
    assert sum(d.code == "erratum" for d in compute.defects) == len(shipped["errata"])


def test_every_sample_of_novas_tree_is_validated_or_listed(compiled: dict[str, ApiRef]) -> None:
    source = sources.for_service("compute")
    tree = tree_evidence(compiled["compute"], source.root, source.repo_root)
    assert tree is not None and tree.root == "doc/api_samples"
    on_disk = sum(1 for _ in (source.repo_root / tree.root).rglob("*.json"))
    assert tree.files == on_disk == tree.included + tree.by_family + tree.by_name + tree.unmatched
    assert sum(d.code == "sample-unmatched" for d in tree.defects) == tree.unmatched
    assert tree.included == len({s.path for o in compiled["compute"].operations for s in o.samples})
