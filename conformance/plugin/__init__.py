"""The pytest plugin: ``pytest --target URL`` runs the conformance suites shipped in the package.

Registered through the ``pytest11`` entry point, so it is active wherever
conformance is installed; it does nothing until ``--target`` (or
``--nova-box``) is given. Then, when no test paths are given, it collects the
suites from ``conformance/suites``. This module stays light: the heavy parts
load only when a target is set.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

__all__ = ["SUITES"]

SUITES = Path(__file__).resolve().parent.parent / "suites"
"""Where the shipped suites live."""

_OPTIONS = (
    # (flag, dest, env, help, default)
    ("--target", "conformance_target", "CONFORMANCE_TARGET",
     "the endpoint to certify (compute: http://host:8774/v2.1[/{project_id}] or its service root; placement: "
     "its root)", None),
    ("--service", "conformance_service", "CONFORMANCE_SERVICE",
     "the service type to certify, whose pinned api-ref is the contract: compute (default) or placement", None),
    ("--admin-token", "conformance_admin_token", "CONFORMANCE_ADMIN_TOKEN", "a token with the admin role", None),
    ("--member-token", "conformance_member_token", "CONFORMANCE_MEMBER_TOKEN",
     "a non-admin member of the project owning the test servers (optional)", None),
    ("--other-token", "conformance_other_token", "CONFORMANCE_OTHER_TOKEN",
     "a member of another project (optional)", None),
    ("--os-cloud", "conformance_os_cloud", "OS_CLOUD", "a cloud of clouds.yaml, through keystoneauth1", None),
    ("--microversions", "conformance_microversions", "CONFORMANCE_MICROVERSIONS",
     "the microversions to test, e.g. 2.1-2.90 (default: all the target advertises)", None),
    ("--request-timeout", "conformance_request_timeout", "CONFORMANCE_REQUEST_TIMEOUT",
     "seconds per HTTP request (default 30)", "30"),
    ("--api-ref", "conformance_api_ref", "CONFORMANCE_API_REF", "a local api-ref source directory", None),
    ("--nova-version", "conformance_nova_version", "CONFORMANCE_NOVA_VERSION",
     "the pinned nova release whose api-ref is the contract (default 34.0.0)", "34.0.0"),
    ("--conformance-report", "conformance_report", "CONFORMANCE_REPORT",
     "write results.json, report.html, junit.xml and certification.json to this directory", None),
    ("--waivers", "conformance_waivers", "CONFORMANCE_WAIVERS",
     "a waiver file of your own, used instead of the shipped one (with --extend-waivers: added to it)", None),
    ("--operations", "conformance_operations", "CONFORMANCE_OPERATIONS",
     "only the operations whose 'METHOD /path (action)' matches this regular expression", None),
)


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("conformance", "OpenStack API conformance")
    for flag, dest, env, help_text, default in _OPTIONS:
        group.addoption(flag, dest=dest, default=None, metavar=dest.removeprefix("conformance_").upper(),
                        help=f"{help_text} [env {env}]")
        parser.addini(dest, help=help_text, default=default)
    group.addoption("--allow-destructive", dest="conformance_destructive", action="store_true", default=None,
                    help="create servers and live migrations, force-complete and abort them (cleaned up after)")
    parser.addini("conformance_destructive", help="as --allow-destructive", type="bool", default=False)
    group.addoption("--allow-unsafe", dest="conformance_unsafe", action="store_true", default=None,
                    help="with --allow-destructive, also run the writes that change the cloud beyond the suite's own "
                    "resources (disable a compute service, change default quotas): only for a throwaway cloud "
                    "(conformance run gives it to the nova-box it boots)")
    parser.addini("conformance_unsafe", help="as --allow-unsafe", type="bool", default=False)
    group.addoption("--extend-waivers", dest="conformance_extend_waivers", action="store_true", default=None,
                    help="add the --waivers file to the shipped waivers instead of replacing them")
    group.addoption("--nova-box", dest="conformance_novabox", action="store_true", default=False,
                    help="boot real Nova locally (nova-box) and certify it (the default of 'conformance run')")


def option(config: pytest.Config, dest: str) -> str | None:
    """An option's value: command line, then environment, then ini (pytest-timeout's order)."""
    value = config.getoption(dest, None)
    if value is not None:
        return str(value) if not isinstance(value, bool) else ("1" if value else None)
    env = next((env for _, d, env, _, _ in _OPTIONS if d == dest), None)
    if env and os.environ.get(env):
        return os.environ[env]
    ini = config.getini(dest) if dest in {d for _, d, _, _, _ in _OPTIONS} else None
    return str(ini) if ini else None


def _active(config: pytest.Config) -> bool:
    return bool(option(config, "conformance_target") or config.getoption("conformance_novabox", False))


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "conformance(operation, microversion): a conformance suite test")
    config.addinivalue_line("markers", "destructive: creates or changes resources on the target")
    config.addinivalue_line("markers", "operation(method, path, action=None): the api-ref operation a suite test "
                            "exercises")
    config.addinivalue_line("markers", "parameter(*names): test only the versions that document these parameters")
    config.addinivalue_line("markers", "served_with(method, path): test only the versions that serve that too")
    config.addinivalue_line("markers", "cases(kind): an engine test, parametrised over the contract's cases of kind")
    if not _active(config):
        return
    from conformance.plugin.session import configure

    configure(config)


@pytest.hookimpl(tryfirst=True)
def pytest_sessionstart(session: pytest.Session) -> None:
    """Discover the target before anything is collected: a broken target is one line and exit code 2.

    Naming the request and what came back (unreachable, a 404 root, a non-JSON version document),
    never a collection traceback per test module, never a report of nothing.
    """
    config = session.config
    if not _active(config) or hasattr(config, "workerinput"):
        return
    from conformance.errors import ConformanceError
    from conformance.suites.contract import connect_target

    try:
        connect_target(config)
    except ConformanceError as error:
        reporter = config.pluginmanager.get_plugin("terminalreporter")
        if reporter is not None:  # pytest's own banner would repeat the line
            config.pluginmanager.unregister(reporter)
        pytest.exit(f"conformance: error: {error}", returncode=2)


def pytest_unconfigure(config: pytest.Config) -> None:
    if not _active(config):
        return
    from conformance.plugin.session import unconfigure

    unconfigure(config)
