"""A vendor that misbehaves as a network peer: the run ends inconclusive or with a finding, never a traceback.

The line between the two: when the credentials guard (a documented 2xx read) itself times out, is reset,
or answers 5xx/429 after retries, the vendor is unhealthy and the whole run is inconclusive with the reason.
When the guard succeeds, a fault on one documented request is a finding about that request. Our own bugs
(an exception in a fake handler) propagate. Each case is injected twice: with respx routes raising httpx's
errors or answering scripted responses, and with the fakes' fault switches.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

import httpx
import pytest
import respx

from contracts.engine.context import RunContext, load_spec, open_run
from contracts.engine.probes import run_probe
from contracts.engine.runner import plan_units, run_vendor
from contracts.fakes._core import FakeVendor, Fault
from contracts.fakes.aura import AuraFake
from contracts.fakes.nexor import NexorFake
from contracts.transport.targets import RunLimits, Target, fake_target
from contracts.values.findings import Kind, Severity
from contracts.values.model import Capability
from contracts.values.results import Status
from contracts.vendors import get_vendor
from tests.fixtures.transports import respx_target as scripted_target

AURA = get_vendor("aura")
AURA_SPEC = load_spec(AURA)
NEXOR = get_vendor("nexor")
NEXOR_SPEC = load_spec(NEXOR)
LIMITS: dict[str, Any] = {
    "connect_timeout": 0.02,
    "read_timeout": 0.02,
    "retries": 2,
    "max_examples": 1,
    "stateful_examples": 1,
    "stateful_steps": 2,
    "max_body_bytes": 2048,
    "max_retry_wait": 30.0,
    "time_budget": 60.0,
}


def faked(fake: FakeVendor, spec: Any = AURA_SPEC) -> Target:
    """The fake with a fault switched on, reached through ``fake_target`` (httpx -> respx -> fake)."""
    return fake_target(fake, base_url=spec.server_url).with_limits(**LIMITS)


Script = Callable[[httpx.Request, int], httpx.Response | Exception | type[Exception] | None]


def scripted(script: Script) -> tuple[Target, respx.Route]:
    """A live-like target whose respx route asks ``script`` first (by request number, from 1): an exception
    to raise, a response to answer, or None to let a healthy Aura fake answer."""
    fake = AuraFake()
    served = 0

    def side_effect(request: httpx.Request) -> httpx.Response:
        nonlocal served
        served += 1
        answer = script(request, served)
        if isinstance(answer, type) and issubclass(answer, Exception):
            raise answer("injected by respx", request=request) if issubclass(answer, httpx.RequestError) else answer()
        if isinstance(answer, Exception):
            raise answer
        return answer if answer is not None else fake.httpx_handler(request)

    return scripted_target(
        AURA_SPEC,
        side_effect,
        api_key=AuraFake.api_key,
        lead_id=AuraFake.known_lead_id,
        capabilities=frozenset({Capability.KNOWN_LEAD}),
        limits=RunLimits(**LIMITS),
    )


def always(answer: Any) -> Script:
    return lambda request, number: answer


def after_guard(answer: Any) -> Script:
    """The guard (request 1) is answered by the fake; every later request gets ``answer``."""
    return lambda request, number: None if number == 1 else answer


HTML = httpx.Response(502, headers={"Content-Type": "text/html"}, text="<html><h1>Bad Gateway</h1></html>")
LIMIT_HEADERS = {"X-RateLimit-Limit": "100", "X-RateLimit-Remaining": "0", "X-RateLimit-Reset": "0"}
"""Aura's documented rate-limit headers (a reset already passed: nothing to wait for)."""
TOO_MANY = {"success": False, "error": "Too many requests", "code": "RATE_LIMITED", "requestId": "req_1"}
"""Aura's 429 body: its documented error envelope."""

# -- the guard fails: the vendor is unhealthy, every result inconclusive ----------------------------------

GUARD_FAULTS = [
    # (how the fault is injected, the reason fragment, requests sent)
    (Fault(kind="timeout"), "timed out after 3 attempt(s) (ReadTimeout; connect 0.02 s, read 0.02 s)", 3),
    (Fault(kind="slow", delay=5.0), "timed out after 3 attempt(s) (ReadTimeout", 3),
    (Fault(kind="reset"), "failed after 3 attempt(s): ReadError: [Errno 104] Connection reset by peer", 3),
    (Fault(kind="truncated"), "failed after 3 attempt(s): RemoteProtocolError: peer closed connection", 3),
    (Fault(kind="status", status=503), "the credentials guard GET /v1/leads/{id} answered 503 after retries", 3),
    (Fault(kind="html", status=502), "the credentials guard GET /v1/leads/{id} answered 502 after retries", 3),
    (Fault(kind="status", status=429), "still answered 429 Too Many Requests after 3 attempts", 3),
    (Fault(kind="status", status=503, retry_after=3600), "answered 503 with Retry-After 3600 s, beyond", 1),
    (Fault(kind="huge", status=200, size=100_000), "answered 200 with a body over the 2048 byte cap", 1),
    (httpx.ConnectTimeout, "timed out after 3 attempt(s) (ConnectTimeout", 3),
    (httpx.ReadTimeout, "timed out after 3 attempt(s) (ReadTimeout", 3),
    (httpx.ReadError, "failed after 3 attempt(s): ReadError: injected by respx", 3),
    (httpx.RemoteProtocolError, "failed after 3 attempt(s): RemoteProtocolError: injected by respx", 3),
    (httpx.ConnectError, "failed after 3 attempt(s): ConnectError: injected by respx", 3),
    (httpx.Response(500, json={"error": "boom"}), "the credentials guard GET /v1/leads/{id} answered 500", 3),
    (HTML, "the credentials guard GET /v1/leads/{id} answered 502 after retries", 3),
    (
        httpx.Response(429, headers={**LIMIT_HEADERS, "Retry-After": "0"}, json=TOO_MANY),
        "still answered 429 Too Many Requests after 3",
        3,
    ),
]
GUARD_IDS = [
    "fake-timeout",
    "fake-slow",
    "fake-reset",
    "fake-truncated",
    "fake-503",
    "fake-html-502",
    "fake-429",
    "fake-retry-after-too-long",
    "fake-huge",
    "respx-connect-timeout",
    "respx-read-timeout",
    "respx-reset",
    "respx-truncated",
    "respx-refused",
    "respx-500",
    "respx-html-502",
    "respx-429",
]


def fresh(fault: Fault) -> Fault:
    """A copy with its own count: the parametrized ``Fault`` values are shared by every run of a test."""
    return dataclasses.replace(fault, served=0)


def guard_target(injected: Any) -> tuple[Target, Callable[[], int]]:
    """The target with ``injected`` on every request, and how many requests reached the vendor."""
    if isinstance(injected, Fault):
        fake = AuraFake(faults=[fresh(injected)])
        return faked(fake), lambda: fake.requests_served
    target, route = scripted(always(injected))
    return target, lambda: route.call_count


@pytest.mark.parametrize(("injected", "fragment", "sent"), GUARD_FAULTS, ids=GUARD_IDS)
def test_a_guard_fault_stops_the_run_with_the_reason(
    sleeps: list[float], injected: Any, fragment: str, sent: int
) -> None:
    target, served = guard_target(injected)
    result = run_vendor(AURA, target, spec=AURA_SPEC)
    assert result.reason is not None
    assert result.reason.startswith("credentials guard: aura: ")
    assert fragment in result.reason
    assert result.outcomes == []  # nothing else was tried against an unhealthy vendor
    assert result.contract_failures == []  # and nothing is blamed on its contract
    assert result.status is Status.INCONCLUSIVE
    assert result.requests == served() == sent
    assert len(sleeps) == sent - 1


def test_a_guard_that_recovers_within_the_retries_is_no_fault(sleeps: list[float]) -> None:
    fake = AuraFake(faults=[Fault(kind="status", status=503, times=2)])
    # The whole run, list pages included: a page of Aura leads (Get Lead's lead is about 1.8 kB) is over the
    # 2048 byte cap the fault cases use, so this run gets a cap that only a fault's huge body exceeds.
    result = run_vendor(AURA, faked(fake).with_limits(max_body_bytes=65_536), spec=AURA_SPEC)
    assert (result.status, result.reason, result.contract_failures) == (Status.PASS, None, [])
    assert fake.faults[0].served == 2
    # Retried, never final, but not forgotten: counted among the operation's answers, and no finding (Aura
    # documents no 503; only a 5xx that outlasts the retries is one).
    assert result.operations["GET /v1/leads/{id}"]["statuses"]["503"] == 2
    assert [outcome.name for outcome in result.outcomes if outcome.name == "guard"] == []
    assert sum(operation["requests"] for operation in result.operations.values()) == result.requests


@pytest.mark.parametrize(
    ("answer", "kind", "path"),
    [
        (httpx.Response(429, headers={"Retry-After": "0"}), Kind.MISSING_FIELD, "/x-ratelimit-limit"),
        (
            httpx.Response(429, headers={**LIMIT_HEADERS, "Retry-After": "0"}, json={"error": "Too many requests"}),
            Kind.ERROR_BODY_MISMATCH,
            "/success",
        ),
    ],
    ids=["no-rate-limit-headers", "not-the-error-envelope"],
)
def test_a_guard_kept_out_by_429s_is_inconclusive_and_reports_what_they_broke(
    sleeps: list[float], answer: httpx.Response, kind: Kind, path: str
) -> None:
    target, route = scripted(always(answer))
    result = run_vendor(AURA, target, spec=AURA_SPEC)
    assert result.status is Status.INCONCLUSIVE  # the guard never got through: nothing else was checked
    assert result.reason is not None
    assert "still answered 429 Too Many Requests after 3 attempts" in result.reason
    [guard] = result.outcomes
    assert guard.name == "guard"
    # Aura's 429 (its body and headers) comes from its overview page, not the operation's: inferred, so what the
    # 429s broke is reported as warnings that quote that evidence.
    broken = [f for f in result.findings if f.status_code == 429 and f.evidence is not None]
    assert (kind, path) in {(f.kind, f.path) for f in broken}
    assert {f.source for f in broken} == {"guard"}
    assert all(f.severity is Severity.WARNING and not f.evidence.binding for f in broken if f.evidence is not None)
    assert all(f.count == 3 for f in broken)  # each 429, once
    assert result.rate_limited.responses == route.call_count == 3


# -- the guard succeeds: a fault on one documented request is a finding about it --------------------------

PROBE_FAULTS = [
    # (injected on every request of the probe, kind, check, observed fragment)
    (Fault(kind="timeout"), Kind.UNREACHABLE, "reachability", "timed out after 3 attempt(s) (ReadTimeout"),
    (Fault(kind="slow", delay=5.0), Kind.UNREACHABLE, "reachability", "timed out after 3 attempt(s)"),
    (Fault(kind="reset"), Kind.UNREACHABLE, "reachability", "failed after 3 attempt(s): ReadError"),
    (Fault(kind="truncated"), Kind.UNREACHABLE, "reachability", "RemoteProtocolError"),
    (Fault(kind="status", status=503), Kind.UNDOCUMENTED_STATUS, "status_code_conformance", "503"),
    (Fault(kind="html", status=502), Kind.UNDOCUMENTED_STATUS, "status_code_conformance", "502"),
    (Fault(kind="html", status=200), Kind.CONTENT_TYPE_MISMATCH, "content_type_conformance", "text/html"),
    (Fault(kind="non_json", status=200), Kind.CONTENT_TYPE_MISMATCH, "response_schema_conformance", "not json"),
    (Fault(kind="huge", status=200, size=100_000), Kind.BEHAVIOR_MISMATCH, "response_size", "2048 byte cap"),
    (httpx.ConnectTimeout, Kind.UNREACHABLE, "reachability", "timed out after 3 attempt(s) (ConnectTimeout"),
    (httpx.ReadTimeout, Kind.UNREACHABLE, "reachability", "timed out after 3 attempt(s) (ReadTimeout"),
    (httpx.ReadError, Kind.UNREACHABLE, "reachability", "failed after 3 attempt(s): ReadError"),
    (httpx.RemoteProtocolError, Kind.UNREACHABLE, "reachability", "RemoteProtocolError"),
    (httpx.Response(503, text="busy"), Kind.UNDOCUMENTED_STATUS, "status_code_conformance", "503"),
    (HTML, Kind.UNDOCUMENTED_STATUS, "status_code_conformance", "502"),
    (
        httpx.Response(200, headers={"Content-Type": "application/json"}, text="<html>oops</html>"),
        Kind.CONTENT_TYPE_MISMATCH,
        "response_schema_conformance",
        "oops",
    ),
]
PROBE_IDS = [
    "fake-timeout",
    "fake-slow",
    "fake-reset",
    "fake-truncated",
    "fake-503",
    "fake-html-502",
    "fake-html-200",
    "fake-non-json",
    "fake-huge",
    "respx-connect-timeout",
    "respx-read-timeout",
    "respx-reset",
    "respx-truncated",
    "respx-503",
    "respx-html-502",
    "respx-not-json",
]


@pytest.mark.parametrize(("injected", "kind", "check", "fragment"), PROBE_FAULTS, ids=PROBE_IDS)
def test_a_fault_on_a_documented_request_is_a_finding_about_it(
    sleeps: list[float], injected: Any, kind: Kind, check: str, fragment: str
) -> None:
    target, _ = guard_target(injected)
    ctx: RunContext = open_run(AURA, target, spec=AURA_SPEC)
    try:
        outcome = run_probe(ctx, AURA.probe("known lead"))
    finally:
        ctx.close()
    assert (outcome.inconclusive, outcome.skipped) == (None, None)
    [finding] = [f for f in outcome.findings if f.check == check]
    assert (finding.kind, finding.severity, finding.operation) == (kind, Severity.ERROR, "GET /v1/leads/{id}")
    assert fragment in finding.observed
    if kind is Kind.UNREACHABLE:
        assert outcome.findings == [finding]
        assert finding.status_code is None
        assert finding.expected == "a response within the timeouts and retries"


def test_a_429_that_outlasts_the_retries_makes_the_probe_inconclusive(sleeps: list[float]) -> None:
    fake = AuraFake(faults=[Fault(kind="status", status=429, retry_after=2)])
    ctx = open_run(AURA, faked(fake), spec=AURA_SPEC)
    try:
        outcome = run_probe(ctx, AURA.probe("known lead"))
    finally:
        ctx.close()
    assert outcome.findings == []
    assert outcome.inconclusive is not None
    assert "still answered 429 Too Many Requests after 3 attempts" in outcome.inconclusive
    assert sleeps == [2.0, 2.0]  # Retry-After honoured between the attempts
    assert fake.faults[0].served == 3


@pytest.mark.parametrize(
    "injected",
    [httpx.ReadTimeout, httpx.ReadError, Fault(kind="timeout"), Fault(kind="reset")],
    ids=["respx-read-timeout", "respx-reset", "fake-timeout", "fake-reset"],
)
def test_after_the_guard_every_unit_still_runs_and_reports_what_it_could_not_reach(
    sleeps: list[float], injected: Any
) -> None:
    if isinstance(injected, Fault):
        # The first fault that matches is served: a zero-delay "slow" one lets the guard through.
        target = faked(AuraFake(faults=[Fault(kind="slow", delay=0.0, times=1), fresh(injected)]))
    else:
        target, _ = scripted(after_guard(injected))
    # One attempt per request: every generated case faults, and each simulated timeout takes real time.
    result = run_vendor(AURA, target.with_limits(retries=0), spec=AURA_SPEC)
    units = plan_units(AURA, AURA_SPEC)
    assert result.status is Status.FAIL
    assert result.reason is None
    assert [outcome.name.split(":", 1)[1] for outcome in result.outcomes[: len(AURA.probes)]] == [
        probe.name for probe in AURA.probes
    ]
    assert len(result.outcomes) == len(units)  # the rest of the run completed
    assert all(outcome.inconclusive is None for outcome in result.outcomes)
    for outcome in result.outcomes:  # every unit tried, and says what it could not reach
        if outcome.skipped is not None and "writes" in outcome.skipped:
            continue  # a write (Aura's create and update) on a target that allows none: not tried at all
        assert outcome.findings, outcome.name
        assert {finding.kind for finding in outcome.findings} == {Kind.UNREACHABLE}, outcome.name
    assert {finding.kind for finding in result.contract_failures} == {Kind.UNREACHABLE}


def test_5xx_after_the_guard_are_findings_not_inconclusive(sleeps: list[float]) -> None:
    target, _ = scripted(after_guard(httpx.Response(503, json={"error": "Service unavailable"})))
    result = run_vendor(AURA, target, spec=AURA_SPEC)
    assert result.status is Status.FAIL
    assert result.reason is None
    kinds = {finding.kind for finding in result.contract_failures}
    assert Kind.UNDOCUMENTED_STATUS in kinds
    assert Kind.UNREACHABLE not in kinds
    assert {finding.status_code for finding in result.contract_failures} == {503}
    assert result.operations["GET /v1/leads/{id}"]["statuses"]["503"] >= len(AURA.probes)


def test_a_write_that_times_out_is_a_finding_and_is_sent_once(sleeps: list[float]) -> None:
    fake = NexorFake(faults=[Fault(kind="timeout", operation="POST /leads", times=2)])
    result = run_vendor(NEXOR, faked(fake, NEXOR_SPEC), spec=NEXOR_SPEC)
    assert result.status is Status.FAIL
    assert fake.faults[0].served == 2
    unreachable = [f for outcome in result.outcomes for f in outcome.findings if f.kind is Kind.UNREACHABLE]
    assert len(unreachable) == 2  # one per timed-out write: neither was sent again
    assert {f.operation for f in unreachable} == {"POST /leads"}
    assert all("POST" in f.observed and "timed out after 1 attempt(s)" in f.observed for f in unreachable)
    assert all(f.source.startswith("scenario:") for f in unreachable)
    assert result.operations["POST /leads"]["statuses"]["no response"] == 2
    assert sleeps == []  # no backoff: nothing was retried
    assert len(result.outcomes) == len(plan_units(NEXOR, NEXOR_SPEC))  # the rest of the run completed


def test_a_non_json_answer_to_a_scenario_step_is_a_finding(sleeps: list[float]) -> None:
    fake = NexorFake(faults=[Fault(kind="non_json", status=201, operation="POST /leads", times=1)])
    result = run_vendor(NEXOR, faked(fake, NEXOR_SPEC), spec=NEXOR_SPEC)
    assert result.status is Status.FAIL
    assert Kind.CONTENT_TYPE_MISMATCH in {finding.kind for finding in result.contract_failures}


# -- our own bugs are not vendor faults --------------------------------------------------------------------


class BrokenAura(AuraFake):
    """A fake with a bug: reading an unknown lead crashes its handler."""

    def get_lead(self, request: Any, match: Any) -> Any:
        if match.params["id"] != self.known_lead_id:
            raise RuntimeError("bug in the fake's handler")
        return super().get_lead(request, match)


def test_a_bug_in_a_fake_handler_propagates_out_of_the_run(sleeps: list[float]) -> None:
    fake = BrokenAura()
    with pytest.raises(RuntimeError, match="bug in the fake's handler"):
        run_vendor(AURA, faked(fake), spec=AURA_SPEC)
    assert sleeps == []  # not retried as if the vendor had failed


def test_a_bug_behind_the_guard_propagates_out_of_the_run(sleeps: list[float]) -> None:
    target, route = scripted(always(ZeroDivisionError))
    with pytest.raises(ZeroDivisionError):
        run_vendor(AURA, target, spec=AURA_SPEC)
    assert route.call_count == 1
