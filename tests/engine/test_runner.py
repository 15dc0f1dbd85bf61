"""A vendor's whole run: verdicts, the credentials guard, and every finding kind from a broken fake.

On Acme, a made-up vendor with a small spec and a tiny fake (tests/fixtures/acme.py): the engine must not
know any real vendor.
"""

from __future__ import annotations

import dataclasses
import time
from collections import Counter
from collections.abc import Callable
from typing import Any

import pytest

from contracts.engine.context import load_spec, open_run
from contracts.engine.probes import run_guard
from contracts.engine.runner import finish, plan_units, run_unit, run_vendor
from contracts.fakes._core import (
    AcceptAnyKey,
    AddHeaders,
    DropField,
    Fault,
    ReplaceBody,
    ReplaceContentType,
    ReplaceStatus,
    SetValue,
)
from contracts.spec.document import Operation, Spec
from contracts.transport.client import Exchange
from contracts.transport.targets import fake_target
from contracts.values.findings import Kind, Severity
from contracts.values.model import Capability, CheckExclusion
from contracts.values.results import Status
from contracts.vendors import get_vendor
from tests.fixtures.acme import ACME, CREATE, READ


def run(**fake_kwargs):
    spec = load_spec(ACME)
    target = fake_target(ACME.fake(**fake_kwargs), base_url=spec.server_url).with_limits(
        max_examples=3, stateful_examples=5, connect_timeout=0.05, read_timeout=0.05, retries=1, max_retry_wait=0.1
    )
    return run_vendor(ACME, target, spec=spec)


BROKEN = [
    DropField(operation=READ, status=200, pointer="/source"),
    SetValue(operation=READ, status=200, pointer="/first_name", value=None),
    SetValue(operation=READ, status=200, pointer="/title", value=5),
    SetValue(operation=READ, status=200, pointer="/email", value="not-an-email"),
    SetValue(operation=READ, status=200, pointer="/run/status", value="paused"),
    SetValue(operation=READ, status=200, pointer="/internal_score", value=0.7),
    ReplaceBody(operation=READ, status=404, body={"message": "nope"}),
    ReplaceContentType(operation=CREATE, status=400, content_type="text/plain"),
    AddHeaders(headers={"Deprecation": "true", "Sunset": "Wed, 01 Jul 2026 00:00:00 GMT"}),
]
LAX = [
    AcceptAnyKey(),
    ReplaceStatus(operation=READ, status=404, new_status=418),
    SetValue(operation=CREATE, status=201, pointer="/lead/first_name", value="Someone else"),  # not what was sent
]


def test_every_finding_kind_is_produced_by_a_fake_broken_that_way():
    broken = run(defects=BROKEN, faults=[Fault(kind="timeout", operation=CREATE, times=1)])
    lax = run(defects=LAX)
    kinds = {finding.kind for result in (broken, lax) for finding in result.findings}
    assert kinds == set(Kind) - {Kind.FAKE_MISMATCH}  # that one only a replay of recorded traffic makes
    by_kind = {(f.kind, f.path) for f in broken.findings}
    assert (Kind.MISSING_FIELD, "/source") in by_kind
    assert (Kind.UNEXPECTED_NULL, "/first_name") in by_kind
    assert (Kind.TYPE_MISMATCH, "/title") in by_kind
    assert (Kind.FORMAT_MISMATCH, "/email") in by_kind
    assert (Kind.ENUM_MISMATCH, "/run/status") in by_kind
    assert (Kind.UNDOCUMENTED_FIELD, "/internal_score") in by_kind
    assert broken.status is Status.FAIL
    assert lax.status is Status.FAIL


def test_drift_alone_never_fails_the_contract():
    result = run(
        defects=[
            SetValue(operation=READ, status=200, pointer="/internal_score", value=0.7),
            AddHeaders(headers={"Deprecation": "true", "X-New-Header": "1"}),
            SetValue(operation=READ, status=200, pointer="/run/status", value="paused"),
        ],
    )
    assert result.status is Status.PASS
    drift = {(f.kind, f.severity) for f in result.findings}
    assert (Kind.UNDOCUMENTED_FIELD, Severity.INFO) in drift
    assert (Kind.DEPRECATION, Severity.WARNING) in drift
    assert (Kind.ENUM_MISMATCH, Severity.WARNING) in drift
    assert not result.contract_failures


def test_a_rejected_key_is_our_setup_error_not_drift():
    result = run(defects=[ReplaceStatus(operation=READ, status=200, new_status=401)])
    assert result.status is Status.ERROR
    assert "credentials guard GET /leads/{id} was refused with 401" in (result.reason or "")
    assert "ACME_API_KEY" in (result.reason or "")
    assert result.findings == [] or not result.contract_failures
    assert result.outcomes == []  # nothing else ran: no vacuous pass


@pytest.mark.parametrize(
    ("fault", "reason"),
    [
        (Fault(kind="timeout"), "timed out after 2 attempt(s)"),
        (Fault(kind="reset"), "ReadError"),
        (Fault(kind="status", status=503), "answered 503 after retries"),
        (Fault(kind="status", status=429), "429 Too Many Requests"),
    ],
    ids=["timeout", "reset", "5xx", "429"],
)
def test_a_guard_that_cannot_get_an_answer_makes_the_vendor_inconclusive(fault, reason):
    result = run(faults=[fault])
    assert result.status is Status.INCONCLUSIVE
    assert reason in (result.reason or "")
    assert not result.contract_failures


def test_a_fault_on_one_request_after_the_guard_is_a_finding_about_that_request():
    result = run(faults=[Fault(kind="reset", operation=CREATE, times=1)])
    unreachable = [f for f in result.findings if f.kind is Kind.UNREACHABLE]
    assert [(f.operation, f.severity) for f in unreachable] == [(CREATE, Severity.ERROR)]
    assert "ReadError" in unreachable[0].observed
    assert result.status is Status.FAIL


def test_requests_are_counted_per_operation():
    result = run()
    read = result.operations[READ]
    assert read["requests"] > 5
    assert read["statuses"]["200"] >= 1
    assert read["statuses"]["404"] >= 1
    assert result.requests == sum(op["requests"] for op in result.operations.values())


def test_the_plan_is_the_same_for_every_target_and_names_its_needs():
    units = {unit.id: unit for unit in plan_units(ACME, load_spec(ACME))}
    assert list(units)[:4] == ["probe:known lead", "probe:unknown id", "probe:missing key", "probe:invalid key"]
    assert units["property:POST /leads"].needs == frozenset({Capability.WRITES})
    assert units["stateful:links"].needs == frozenset({Capability.WRITES})
    read_only = load_spec(ACME).copy_raw()
    del read_only["paths"]["/leads"]  # the create holds the only link
    del read_only["components"]["responses"]["Created"]
    units_without_links = plan_units(ACME, Spec(read_only, source="acme-read-only.yaml"))
    assert "stateful:links" not in {unit.id for unit in units_without_links}


def test_finish_matches_and_parses_each_exchange_once(monkeypatch):
    """Drift observations, fact coverage and the run summary share one analysis of each exchange."""
    vendor = get_vendor("nexor")
    spec = load_spec(vendor)
    target = fake_target(vendor.fake(), base_url=spec.server_url).with_limits(max_examples=3, stateful_examples=3)
    ctx = open_run(vendor, target, spec=spec)
    try:
        run_guard(ctx)
        outcomes = [run_unit(ctx, unit) for unit in plan_units(vendor, spec)]
        exchanges = list(ctx.client.exchanges)
        matched = [(e, e.operation, e.status_code) for e in exchanges if e.operation and e.status_code]
        documented = [e for e, label, status in matched if spec.operation(label).response_for(status) is not None]
        calls: Counter[tuple[str, int]] = Counter()

        def counted(name: str, original: Callable[..., Any]) -> Callable[..., Any]:
            def call(self: Any, *args: Any) -> Any:
                calls[name, id(self)] += 1
                return original(self, *args)

            return call

        monkeypatch.setattr(Exchange, "json", counted("response body", Exchange.json))
        monkeypatch.setattr(Exchange, "request_json", counted("request body", Exchange.request_json))
        monkeypatch.setattr(Operation, "response_for", counted("response_for", Operation.response_for))
        monkeypatch.setattr(Spec, "operation", counted("spec.operation", Spec.operation))
        result = finish(ctx, status=None, reason=None, outcomes=outcomes, started=time.monotonic())
    finally:
        ctx.close()
    assert len(documented) > 50
    assert result.created, "created records are read from the parsed bodies"
    assert result.coverage is not None
    assert result.coverage.checked > 0, "facts are measured on the analysis"
    parsed = {key: n for key, n in calls.items() if key[0].endswith("body")}
    assert set(parsed.values()) == {1}, "no body is parsed twice"
    assert {("response body", id(e)) for e in documented} <= parsed.keys(), "observed and measured from one parse"
    assert sum(n for (name, _), n in calls.items() if name == "response_for") == len(matched), "one match each"
    assert not [key for key in calls if key[0] == "spec.operation"], "operations come from the client's match"


def test_the_vendors_check_exclusions_are_carried_into_its_result():
    exclusion = CheckExclusion(operation="GET /leads/{id}", check="ignored_auth", reason="a public read, by design")
    vendor = dataclasses.replace(get_vendor("nexor"), check_exclusions=(exclusion,))
    spec = load_spec(vendor)
    ctx = open_run(vendor, fake_target(vendor.fake(), base_url=spec.server_url), spec=spec)
    try:
        run_guard(ctx)
        result = finish(ctx, status=None, reason=None, outcomes=[], started=time.monotonic())
    finally:
        ctx.close()
    assert result.excluded_checks == (exclusion,)
