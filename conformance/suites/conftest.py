"""Fixtures of the conformance suites: the contract, the target, the plan, the workload.

Tests name the operation they exercise with ``@pytest.mark.operation(METHOD,
PATH[, action])`` and take ``version`` (parametrised over the planned
versions at which the operation is served) or ``unserved_version`` (the
planned versions outside its range).
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, settings

from conformance.model import MicroversionRange
from conformance.plugin import option
from conformance.results import UNSETTLED
from conformance.suites.api import Api
from conformance.suites.calls import Preparer
from conformance.suites.calls import label as registry_label
from conformance.suites.cases import Case, plan_cases
from conformance.suites.contract import connect_target, load_contract, spec_of
from conformance.suites.plan import Plan, parse_range
from conformance.suites.provision import Provisioner
from conformance.suites.registry import Registry, load_registry
from conformance.suites.workload import NotAvailable, Workload

settings.register_profile(
    "conformance",
    max_examples=int(os.environ.get("CONFORMANCE_EXAMPLES", "12")),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    derandomize=False,
    database=None,
)
settings.load_profile("conformance")

_PLAN = pytest.StashKey[Plan]()
_REGISTRY = pytest.StashKey[Registry]()


def _recorder_key() -> Any:
    from conformance.plugin.session import RECORDER

    return RECORDER


def plan_for(config: pytest.Config) -> Plan:
    """The plan, made once per process: compile the contract, discover the target."""
    if _PLAN not in config.stash:
        target = connect_target(config)
        discovery = target.discovery
        advertised = MicroversionRange(discovery.min_version, discovery.max_version)
        plan = Plan.make(load_contract(config), advertised, parse_range(option(config, "conformance_microversions")))
        config.stash[_PLAN] = plan
        recorder = config.stash.get(_recorder_key(), None)
        if recorder is not None:
            recorder.target_versions = (str(discovery.min_version), str(discovery.max_version))
            recorder.spec = spec_of(plan.apiref)
    return config.stash[_PLAN]


def registry_for(config: pytest.Config) -> Registry:
    """The resource registry of the contract's service, read once per process."""
    if _REGISTRY not in config.stash:
        config.stash[_REGISTRY] = load_registry(plan_for(config).apiref.info.service)
    return config.stash[_REGISTRY]


def _parametrize_cases(metafunc: pytest.Metafunc, kind: str) -> None:
    plan = plan_for(metafunc.config)
    cases = plan_cases(plan, registry_for(metafunc.config), kind)
    metafunc.parametrize("case", cases or [pytest.param(None, marks=pytest.mark.skip(
        reason=f"no operation of the contract has a {kind} case"))], ids=[case.id for case in cases] or None)


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    kind = metafunc.definition.get_closest_marker("cases")
    if kind is not None and "case" in metafunc.fixturenames:
        _parametrize_cases(metafunc, kind.args[0])
        return
    marker = metafunc.definition.get_closest_marker("operation")
    wanted = {"version", "unserved_version"} & set(metafunc.fixturenames)
    if marker is None or not wanted:
        return
    plan = plan_for(metafunc.config)
    try:
        operation = plan.apiref.find(*marker.args)
    except KeyError:  # a hand-written suite of another service's api-ref: dropped at collection
        for name in sorted(wanted):
            metafunc.parametrize(name, [pytest.param(None, marks=pytest.mark.skip(reason="another service"))],
                                 ids=["other-service"])
        return
    if "version" in wanted:
        served = plan.served(operation)
        # @pytest.mark.parameter("limit"): only where the api-ref documents these request parameters;
        # @pytest.mark.served_with(METHOD, PATH): only where that operation is served too.
        for named in metafunc.definition.iter_markers("parameter"):
            ranges = [p.versions for p in operation.parameters if p.name in named.args]
            served = [v for v in served if len(ranges) == len(named.args) and all(v in r for r in ranges)]
        for other in metafunc.definition.iter_markers("served_with"):
            served = [v for v in served if v in plan.apiref.find(*other.args).versions]
        metafunc.parametrize("version", served or [pytest.param(None, marks=pytest.mark.skip(
            reason=f"no tested microversion documents {operation.method} {operation.path} this way"))], ids=str)
    if "unserved_version" in wanted:
        unserved = plan.unserved(operation)
        metafunc.parametrize("unserved_version", unserved or [pytest.param(None, marks=pytest.mark.skip(
            reason=f"every tested microversion serves {operation.method} {operation.path}"))], ids=str)


def _operations_wanted(config: pytest.Config) -> re.Pattern[str] | None:
    wanted = option(config, "conformance_operations")
    try:
        return re.compile(wanted) if wanted else None
    except re.error as exc:
        raise pytest.UsageError(f"--operations {wanted!r} is not a regular expression: {exc}") from None


def _in_contract(config: pytest.Config, item: pytest.Item) -> bool:
    """Whether a hand-written test's operation is in the run's contract (the migrations suites are compute's)."""
    marker = item.get_closest_marker("operation")
    if marker is None:
        return True
    try:
        plan_for(config).apiref.find(*marker.args)
    except KeyError:
        return False
    return True


def _no_case(item: pytest.Item) -> bool:
    callspec = getattr(item, "callspec", None)
    return callspec is not None and "case" in callspec.params and callspec.params["case"] is None


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    # Tests of operations another service's api-ref documents are not this run's: not collected at all
    # (not deselected: the run still covers its whole contract).
    # Nor is a kind of check the contract gives no operation (no removed API in Placement's api-ref): pytest makes
    # one skipped placeholder of a test parametrised over no case, which would count as a test left unexercised.
    items[:] = [item for item in items if _in_contract(config, item) and not _no_case(item)]
    wanted = _operations_wanted(config)
    kept: list[pytest.Item] = []
    dropped: list[pytest.Item] = []
    for item in items:
        callspec = getattr(item, "callspec", None)
        case = callspec.params.get("case") if callspec is not None else None
        if isinstance(case, Case):
            item.add_marker(pytest.mark.conformance(operation=case.label, api=case.operation.group,
                                                    microversion=str(case.version) if case.version else None))
            test = f"{getattr(item, 'originalname', item.name)} {registry_label(case.operation)}"
            unverified = registry_for(config).unverified_reason(test) if wanted is None else None
            if unverified is not None:
                item.add_marker(pytest.mark.skip(reason=f"{UNSETTLED}: {unverified} (--operations runs it)"))
            # The label as reports write it ("action (os-stop)") or as the registry does ("action os-stop").
            chosen = wanted is None or wanted.search(case.label) or wanted.search(registry_label(case.operation))
            (kept if chosen else dropped).append(item)
            continue
        marker = item.get_closest_marker("operation")
        if marker is None:
            (kept if wanted is None else dropped).append(item)
            continue
        label = f"{marker.args[0]} {marker.args[1]}" + (f" ({marker.args[2]})" if len(marker.args) > 2 else "")
        (kept if wanted is None or wanted.search(label) else dropped).append(item)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = kept
    for item in items:
        marker = item.get_closest_marker("operation")
        callspec = getattr(item, "callspec", None)
        if marker is None:
            continue
        method, path = marker.args[:2]
        action = marker.args[2] if len(marker.args) > 2 else None
        version = None
        if callspec is not None:
            version = callspec.params.get("version") or callspec.params.get("unserved_version")
        label = f"{method} {path}" + (f" ({action})" if action else "")
        try:
            api = plan_for(config).apiref.find(method, path, action).group
        except KeyError:
            api = None
        item.add_marker(pytest.mark.conformance(operation=label, api=api,
                                                microversion=str(version) if version else None))


@pytest.fixture(scope="session")
def plan(pytestconfig: pytest.Config) -> Plan:
    return plan_for(pytestconfig)


@pytest.fixture(scope="session")
def target(pytestconfig: pytest.Config) -> Iterator[Any]:
    target = connect_target(pytestconfig)
    yield target
    target.close()


@pytest.fixture(scope="session")
def api(target: Any, plan: Plan) -> Api:
    return Api(target, plan)


@pytest.fixture(scope="session")
def destructive(pytestconfig: pytest.Config) -> bool:
    return bool(option(pytestconfig, "conformance_destructive"))


@pytest.fixture(scope="session")
def workload(target: Any, destructive: bool, api: Api) -> Iterator[Workload]:
    workload = Workload(target, destructive, verify=api.verify_answer)
    yield workload
    failed = workload.cleanup()
    if failed:
        print(f"conformance: could not delete the servers {', '.join(failed)}", file=sys.stderr)


@pytest.fixture(scope="session")
def registry(pytestconfig: pytest.Config) -> Registry:
    return registry_for(pytestconfig)


@pytest.fixture(scope="session")
def provisioner(target: Any, registry: Registry, destructive: bool) -> Iterator[Provisioner]:
    """Finds and creates the registry's resources; deletes everything it created at the end of the run."""
    provisioner = Provisioner(target, registry, destructive=destructive)
    yield provisioner
    failed = provisioner.cleanup()
    if failed:
        print(f"conformance: could not delete {', '.join(failed)}", file=sys.stderr)


@pytest.fixture(scope="session")
def preparer(pytestconfig: pytest.Config, plan: Plan, registry: Registry, provisioner: Provisioner) -> Preparer:
    return Preparer(plan, registry, provisioner, allow_unsafe=bool(option(pytestconfig, "conformance_unsafe")))


@pytest.fixture(autouse=True)
def _release_fresh_resources(request: pytest.FixtureRequest) -> Iterator[None]:
    """After each test, delete what it was given fresh: a run stays within quota and leaves nothing."""
    yield
    if "preparer" in request.fixturenames or "provisioner" in request.fixturenames:
        failed = request.getfixturevalue("provisioner").release()
        if failed:
            print(f"conformance: could not delete {', '.join(failed)}", file=sys.stderr)


@pytest.fixture
def operation(request: pytest.FixtureRequest, api: Api) -> Any:
    """The operation the test's ``operation`` marker names."""
    marker = request.node.get_closest_marker("operation")
    assert marker is not None, "the test needs @pytest.mark.operation(METHOD, PATH)"
    return api.operation(*marker.args)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Iterator[None]:
    """What the target lacks mid-test (no quota left for a server, say) skips the test with the reason."""
    try:
        return (yield)
    except NotAvailable as exc:
        pytest.skip(str(exc))


@pytest.fixture
def running(workload: Workload) -> Any:
    """A live migration in progress, shared by read-only tests."""
    try:
        return workload.running_migration()
    except NotAvailable as exc:
        pytest.skip(str(exc))


@pytest.fixture
def fresh_migration(workload: Workload) -> Any:
    """A new live migration this test may force-complete or abort; its server is deleted after the test."""
    try:
        return workload.fresh_migration()
    except NotAvailable as exc:
        pytest.skip(str(exc))


@pytest.fixture(autouse=True)
def _release_fresh_servers(request: pytest.FixtureRequest) -> Iterator[None]:
    """After each test that asked for fresh migrations, delete their servers: a run stays within quota."""
    yield
    if "workload" in request.fixturenames or "fresh_migration" in request.fixturenames:
        request.getfixturevalue("workload").release_fresh()


@pytest.fixture
def idle_server(workload: Workload) -> str:
    """An ACTIVE server that is not migrating."""
    try:
        return workload.idle_server()
    except NotAvailable as exc:
        pytest.skip(str(exc))
