"""junit.xml: one testcase per test, in the dialect pytest writes and Jenkins, GitLab and GitHub read.

A failed test carries a ``<failure>`` whose text is every finding rendered
(``Finding.render()``, the curl included) or the error that ended it; a waived
one passes, its findings in ``<system-out>``; a skipped one a ``<skipped>`` with
its reason, an inconclusive one a ``<skipped type="inconclusive">`` with its
reason and last exchange; an error an ``<error>``. Every testcase's
``<system-out>`` names its operation, microversion and checks.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from conformance.report.views import certificate_verdict, outcome_counts, scope_statement
from conformance.results import Outcome, RunResult, TestResult

__all__ = ["junit_xml"]

# XML 1.0 cannot carry most control characters, even escaped: a hostile body must not break the file.
_INVALID_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _clean(text: str) -> str:
    return _INVALID_XML.sub("\N{REPLACEMENT CHARACTER}", text)


def _names(nodeid: str) -> tuple[str, str]:
    """pytest's classname and name.

    ``suites/test_x.py::TestA::test_b[2.59]`` -> ``suites.test_x.TestA``, ``test_b[2.59]``.
    """
    parts = nodeid.split("::")
    module = parts[0].removesuffix(".py").replace("/", ".").replace("\\", ".")
    return ".".join([module, *parts[1:-1]]), parts[-1] if len(parts) > 1 else nodeid


def _testcase(test: TestResult) -> ET.Element:
    classname, name = _names(test.nodeid)
    case = ET.Element("testcase", classname=_clean(classname), name=_clean(name), time=f"{test.duration:.3f}")
    # What the test was about goes in system-out: the xunit2 schema (junit-10.xsd) has no properties per testcase.
    about = "\n".join(f"{key}: {value}" for key, value in (
        ("operation", test.operation), ("api", test.api), ("microversion", test.microversion),
        ("checks", " ".join(test.checks)), ("requests", test.requests), ("outcome", test.outcome.value)) if value)
    rendered = "\n\n".join(finding.render() for finding in test.findings)
    if test.outcome is Outcome.FAILED:
        titles = "; ".join(f"[{f.check}] {f.title}" for f in test.findings if not f.waiver)
        failure = ET.SubElement(case, "failure", message=_clean(titles or test.reason or "failed"),
                                type=_clean(",".join(sorted({f.check for f in test.findings})) or "failure"))
        failure.text = _clean("\n\n".join(filter(None, [rendered, test.reason])) or "failed")
    elif test.outcome is Outcome.ERROR:
        error = ET.SubElement(case, "error", message=_clean(test.reason or "error"), type="error")
        error.text = _clean("\n\n".join(filter(None, [test.reason, rendered])))
    elif test.outcome is Outcome.SKIPPED:
        skipped = ET.SubElement(case, "skipped", message=_clean(test.reason or "skipped"), type="pytest.skip")
        skipped.text = _clean(test.reason or "")
    elif test.outcome is Outcome.INCONCLUSIVE:
        skipped = ET.SubElement(case, "skipped", message=_clean(f"inconclusive: {test.reason or ''}"),
                                type="inconclusive")
        last = ""
        if test.exchange is not None:
            last = (f"\nlast exchange: {test.exchange.request.method} {test.exchange.request.url} -> "
                    f"{test.exchange.response.status} {test.exchange.response.text()[:500]}")
        skipped.text = _clean((test.reason or "") + last)
    if test.outcome is not Outcome.FAILED and rendered:  # waived findings
        about += "\n\nWaived findings:\n\n" + rendered
    ET.SubElement(case, "system-out").text = _clean(about)
    return case


def junit_xml(run: RunResult, digest: str | None = None) -> str:
    """The run as a JUnit XML document (a ``testsuites`` holding one ``testsuite``)."""
    counts = outcome_counts(run.tests)
    attributes = {"name": "conformance", "tests": str(len(run.tests)), "failures": str(counts["failed"]),
                  "errors": str(counts["error"]), "skipped": str(counts["skipped"] + counts["inconclusive"]),
                  "time": f"{run.duration:.3f}", "timestamp": run.started.removesuffix("Z"),
                  "hostname": _clean(run.target)}
    root = ET.Element("testsuites", {key: attributes[key] for key in ("name", "tests", "failures", "errors", "time")})
    suite = ET.SubElement(root, "testsuite", attributes)
    properties = ET.SubElement(suite, "properties")
    for key, value in (("target", run.target), ("suite_version", run.suite_version),
                       ("target_versions", "-".join(run.target_versions or ())),
                       ("spec", str(run.spec.get("origin", ""))), ("spec_sha256", str(run.spec.get("sha256", ""))),
                       ("complete", str(run.complete).lower()), ("verdict", certificate_verdict(run)),
                       ("scope", scope_statement(run)), ("results_digest", digest or run.digest())):
        ET.SubElement(properties, "property", name=key, value=_clean(value))
    for test in run.tests:
        suite.append(_testcase(test))
    ET.indent(root, space=" ")
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
