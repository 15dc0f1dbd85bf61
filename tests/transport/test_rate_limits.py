"""Rate limits and budgets: the suite paces itself, absorbs 429s and stops (inconclusive) when it must.

It reads ``X-RateLimit-Remaining``/``X-RateLimit-Reset`` and ``Retry-After``, stays under a vendor's documented
limit (``vendor.rate_limit`` through ``RunLimits.rate_limit`` and ``rate_limit_headroom``), and never spends
more than the run's request and time budgets. Waits are recorded by an injected ``sleep`` or a fake clock,
except where the point is real pacing, which is measured over short real windows.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
import respx

from contracts import config
from contracts.engine.context import load_spec, open_run
from contracts.engine.facts import documented_facts
from contracts.engine.probes import run_guard
from contracts.engine.runner import plan_units, run_unit, run_vendor
from contracts.fakes._core import AddHeaders, Defect, DropField, DropHeader, Fault, RateLimit, SetValue
from contracts.fakes.aura import AuraFake
from contracts.fakes.dialnexa import DialNexaFake
from contracts.transport.client import Pacer, VendorClient
from contracts.transport.targets import LIVE_LIMITS, RunLimits, Target, fake_target
from contracts.values.errors import BudgetExhausted, VendorUnhealthy
from contracts.values.findings import Kind, Location, Severity
from contracts.values.model import Capability, RateLimitPolicy, Vendor
from contracts.values.redaction import Redactor
from contracts.values.results import Status
from contracts.vendors import VENDORS, get_vendor
from tests.fixtures.transports import respx_target as scripted_target

AURA = get_vendor("aura")
AURA_SPEC = load_spec(AURA)
POLLYBOT = get_vendor("pollybot")
DIALNEXA = get_vendor("dialnexa")
LEAD = f"/v1/leads/{AuraFake.known_lead_id}"
NOW = 1_800_000_000.0
FAST = {"connect_timeout": 0.05, "read_timeout": 0.05, "max_retry_wait": 30.0, "time_budget": 60.0}


class FakeClock:
    """Wall-clock time that only moves when someone sleeps."""

    def __init__(self, now: float = NOW) -> None:
        self.now = now
        self.slept: list[float] = []

    def time(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def ok(request: httpx.Request | None = None, **headers: str) -> httpx.Response:
    return httpx.Response(200, headers=headers, json={"data": {}, "success": True})


def too_many(**headers: str) -> httpx.Response:
    """Aura's 429 as its docs describe it: the X-RateLimit-* headers (the window resets in a second) and its error
    envelope; no Retry-After unless given."""
    limits = {"X-RateLimit-Limit": "100", "X-RateLimit-Remaining": "0", "X-RateLimit-Reset": str(int(time.time()) + 1)}
    body = {"success": False, "error": "Too many requests", "code": "RATE_LIMITED", "requestId": "req_1"}
    return httpx.Response(429, headers={**limits, **headers}, json=body)


def respx_target(side_effect: Any, **limits: Any) -> tuple[Target, respx.Route]:
    return scripted_target(
        AURA_SPEC,
        side_effect,
        api_key=AuraFake.api_key,
        lead_id=AuraFake.known_lead_id,
        capabilities=frozenset({Capability.KNOWN_LEAD}),
        limits=RunLimits(**{**FAST, **limits}),
    )


def behind_respx(script: Callable[[httpx.Response, int], httpx.Response], **limits: Any) -> tuple[Target, respx.Route]:
    """A healthy Aura fake behind a respx route; ``script(request, number)`` may replace or amend its answer."""
    fake = AuraFake()
    count = 0

    def side_effect(request: httpx.Request) -> httpx.Response:
        nonlocal count
        count += 1
        return script(fake.httpx_handler(request), count)

    return respx_target(side_effect, **limits)


@pytest.fixture
def client_for() -> Iterator[Any]:
    opened: list[VendorClient] = []
    recorded: list[float] = []

    def make(target: Target) -> tuple[VendorClient, list[float]]:
        client = VendorClient(
            vendor="aura",
            spec=AURA_SPEC,
            target=target,
            redactor=Redactor(target.secrets()),
            sleep=recorded.append,
        )
        opened.append(client)
        return client, recorded

    yield make
    for client in opened:
        client.close()


# -- X-RateLimit-Remaining / X-RateLimit-Reset ----------------------------------------------------------


@pytest.mark.parametrize(
    ("headers", "slept"),
    [
        ({"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": "5"}, [5.0]),
        ({"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": str(int(NOW) + 7)}, [7.0]),
        ({"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": str(int(NOW) - 10)}, []),
        ({"X-RateLimit-Remaining": "3", "X-RateLimit-Reset": "5"}, []),
        ({"X-RateLimit-Remaining": "0"}, []),
        ({"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": "soon"}, []),
        ({"X-RateLimit-Reset": "5"}, []),
    ],
    ids=["delta", "unix-time", "reset-passed", "remaining", "no-reset", "garbled-reset", "no-remaining"],
)
def test_the_pacer_waits_out_an_exhausted_window(headers: dict[str, str], slept: list[float]) -> None:
    clock = FakeClock()
    pacer = Pacer(None, headroom=0.9, sleep=clock.sleep, clock=clock.time)
    pacer.observe(httpx.Headers(headers))
    pacer.wait(max_wait=60.0)
    pacer.wait(max_wait=60.0)  # the window has reset: no second wait
    assert clock.slept == slept


def test_the_pacer_refuses_a_reset_beyond_what_the_run_may_wait() -> None:
    clock = FakeClock()
    pacer = Pacer(None, headroom=0.9, sleep=clock.sleep, clock=clock.time, vendor="aura")
    pacer.observe(httpx.Headers({"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": str(int(NOW) + 3600)}))
    with pytest.raises(BudgetExhausted) as caught:
        pacer.wait(max_wait=60.0)
    assert str(caught.value) == "aura: rate limit resets in 3600 s, beyond what this run may wait (60 s)"
    assert clock.slept == []


def test_the_client_waits_for_the_reset_before_its_next_request(client_for: Any) -> None:
    target, route = respx_target([ok(None, **{"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": "3"}), ok])
    client, slept = client_for(target)
    client.request("GET", LEAD, source="test")
    assert slept == []
    client.request("GET", LEAD, source="test")
    assert len(slept) == 1
    assert 2.5 < slept[0] <= 3.0
    assert route.call_count == 2


def test_a_reset_far_beyond_the_time_budget_is_budget_exhausted_not_a_long_sleep(client_for: Any) -> None:
    reset = str(int(time.time()) + 3600)
    target, route = respx_target(
        [ok(None, **{"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": reset}), ok],
        time_budget=30.0,
        max_retry_wait=600.0,
    )
    client, slept = client_for(target)
    client.request("GET", LEAD, source="test")
    started = time.monotonic()
    with pytest.raises(
        BudgetExhausted, match=r"rate limit resets in 3\d\d\d s, beyond what this run may wait \(30 s\)"
    ):
        client.request("GET", LEAD, source="test")
    assert time.monotonic() - started < 5.0  # nothing waited for; generous for a loaded CI worker
    assert slept == []
    assert (route.call_count, client.requests_sent, len(client.exchanges)) == (1, 1, 1)


def test_an_exhausted_window_beyond_the_budget_makes_the_run_inconclusive(sleeps: list[float]) -> None:
    reset = str(int(time.time()) + 3600)

    def exhausted(response: httpx.Response, number: int) -> httpx.Response:
        response.headers["X-RateLimit-Remaining"] = "0"
        response.headers["X-RateLimit-Reset"] = reset
        return response

    target, route = behind_respx(exhausted)
    result = run_vendor(AURA, target, spec=AURA_SPEC)
    assert result.status is Status.INCONCLUSIVE
    assert result.reason is not None
    assert "beyond what this run may wait (30 s)" in result.reason
    assert "rate limit resets in" in result.reason
    assert result.contract_failures == []
    assert (result.requests, route.call_count) == (1, 1)  # the guard; nothing after it
    assert sleeps == []
    assert result.duration < 2.0


# -- 429 and Retry-After ---------------------------------------------------------------------------------


def test_a_429_is_absorbed_after_its_retry_after(client_for: Any) -> None:
    target, route = respx_target([httpx.Response(429, headers={"Retry-After": "2"}), ok], retries=2)
    client, slept = client_for(target)
    exchange = client.request("GET", LEAD, source="test")
    assert (exchange.status_code, exchange.attempts, route.call_count) == (200, 2, 2)
    assert slept == [2.0]


def test_a_retry_after_beyond_max_retry_wait_is_unhealthy_quickly(client_for: Any) -> None:
    target, route = respx_target(httpx.Response(429, headers={"Retry-After": "900"}), retries=3, max_retry_wait=60.0)
    client, slept = client_for(target)
    started = time.monotonic()
    with pytest.raises(VendorUnhealthy) as caught:
        client.request("GET", LEAD, source="test")
    assert time.monotonic() - started < 5.0  # nothing waited for; generous for a loaded CI worker
    assert caught.value.status_code == 429
    assert "answered 429 with Retry-After 900 s, beyond what this run may wait (60 s)" in str(caught.value)
    assert (route.call_count, slept) == (1, [])


@pytest.mark.parametrize(
    ("answer", "fragment", "sent"),
    [
        (too_many(**{"Retry-After": "900"}), "answered 429 with Retry-After 900 s, beyond", 2),
        (too_many(**{"Retry-After": "1"}), "still answered 429 Too Many Requests after 3", 4),
        (too_many(), "still answered 429 Too Many Requests after 3 attempts", 4),
    ],
    ids=["retry-after-too-long", "retry-after-short", "no-retry-after"],
)
def test_429s_after_the_guard_make_the_run_inconclusive(
    sleeps: list[float], answer: httpx.Response, fragment: str, sent: int
) -> None:
    target, route = behind_respx(lambda response, number: response if number == 1 else answer, retries=2)
    result = run_vendor(AURA, target, spec=AURA_SPEC)
    assert result.status is Status.INCONCLUSIVE
    assert result.reason is not None
    assert fragment in result.reason
    assert result.contract_failures == []
    assert len(result.outcomes) == 1  # no more requests to a vendor that is rate limiting us
    assert (result.requests, route.call_count) == (sent, sent)
    assert result.rate_limited.responses == sent - 1  # every request after the guard's met a 429
    assert result.findings == []  # each 429 was checked, and was what the docs describe


# -- every 429 is logged and checked before the retry ------------------------------------------------------------


def test_a_retried_response_is_logged_as_its_own_exchange_before_its_request(client_for: Any) -> None:
    first = too_many(**{"Retry-After": "2", "X-RateLimit-Reset": "0"})  # a window already reset: only Retry-After
    target, route = respx_target([first, httpx.Response(503), ok], retries=3)
    client, slept = client_for(target)
    exchange = client.request("GET", LEAD, source="probe:x")
    assert (exchange.status_code, exchange.attempts, exchange.retried) == (200, 3, False)
    assert client.exchanges[-1] is exchange
    assert [(e.status_code, e.retried, e.attempt, e.attempts, e.source) for e in client.exchanges] == [
        (429, True, 1, 0, "probe:x"),
        (503, True, 2, 0, "probe:x"),
        (200, False, 0, 3, "probe:x"),
    ]
    logged = client.exchanges[0]
    assert logged.response.headers["retry-after"] == "2"
    assert logged.json()["code"] == "RATE_LIMITED"
    assert logged.example() == exchange.example()
    assert sum(e.attempts for e in client.exchanges) == client.requests_sent == route.call_count == 3
    # One 429, and the 2 s its Retry-After asked for (the 503's backoff is not the rate limit's).
    assert (client.rate_limited_responses, client.rate_limit_wait) == (1, 2.0)
    assert slept[0] == 2.0


def test_the_wait_for_an_exhausted_window_is_counted(client_for: Any) -> None:
    target, _ = respx_target([ok(None, **{"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": "3"}), ok])
    client, slept = client_for(target)
    client.request("GET", LEAD, source="test")
    client.request("GET", LEAD, source="test")
    assert client.rate_limited_responses == 0
    assert client.rate_limit_wait == slept[0] > 2.5


def test_a_429_without_retry_after_counts_its_backoff(client_for: Any) -> None:
    target, _ = respx_target([httpx.Response(429), ok], retries=1)
    client, slept = client_for(target)
    client.request("GET", LEAD, source="test")
    assert client.rate_limited_responses == 1
    assert client.rate_limit_wait == slept[0] > 0


def test_the_last_5xx_is_the_answer_and_is_logged_once(client_for: Any) -> None:
    target, route = respx_target(httpx.Response(503), retries=2)
    client, _ = client_for(target)
    exchange = client.request("GET", LEAD, source="test")
    assert [(e.status_code, e.retried) for e in client.exchanges] == [(503, True), (503, True), (503, False)]
    assert client.exchanges[-1] is exchange
    assert sum(e.attempts for e in client.exchanges) == route.call_count == 3


def test_429s_that_outlast_the_retries_stay_in_the_log(client_for: Any) -> None:
    target, route = respx_target(too_many(**{"Retry-After": "0"}), retries=2)
    client, _ = client_for(target)
    with pytest.raises(VendorUnhealthy, match="still answered 429 Too Many Requests after 3 attempts"):
        client.request("GET", LEAD, source="test")
    assert [(e.status_code, e.retried, e.attempt) for e in client.exchanges] == [
        (429, True, 1),
        (429, True, 2),
        (429, True, 3),
        (None, False, 0),  # the request itself, with the fault that stopped it
    ]
    assert client.exchanges[-1].error is not None
    assert client.rate_limited_responses == route.call_count == 3


def test_a_post_is_still_only_retried_after_a_429(client_for: Any) -> None:
    """No blind retry of a write: a 429 means it was not processed; a 5xx is its answer, sent once."""
    nexor = get_vendor("nexor")
    spec = load_spec(nexor)
    for first, sent in ((httpx.Response(429), 2), (httpx.Response(503), 1)):
        target, route = scripted_target(
            spec, [first, httpx.Response(201, json={})], api_key="k", limits=RunLimits(retries=2)
        )
        client = VendorClient(vendor="nexor", spec=spec, target=target, redactor=Redactor(), sleep=lambda _: None)
        try:
            exchange = client.request("POST", "/leads", json_body={"first_name": "A"}, source="test")
        finally:
            client.close()
        assert route.call_count == sent
        assert [e.retried for e in client.exchanges] == [True] * (sent - 1) + [False]
        assert exchange.status_code == (201 if sent == 2 else 503)


# (vendor, what breaks its documented 429, the finding that must name it: kind, location, pointer)
BROKEN_429S = [
    ("dialnexa", DropField(status=429, pointer="/statusCode"), Kind.ERROR_BODY_MISMATCH, Location.BODY, "/statusCode"),
    ("dialnexa", SetValue(status=429, pointer="/statusCode", value=503), Kind.ERROR_BODY_MISMATCH, Location.BODY,
     "/statusCode"),
    ("dialnexa", DropHeader(status=429, name="Retry-After"), Kind.MISSING_FIELD, Location.HEADER, "/retry-after"),
    ("dialnexa", AddHeaders(status=429, headers={"Retry-After": "soon"}), Kind.TYPE_MISMATCH, Location.HEADER,
     "/retry-after"),
    ("pollybot", DropField(status=429, pointer="/code"), Kind.ERROR_BODY_MISMATCH, Location.BODY, "/code"),
    ("pollybot", DropHeader(status=429, name="X-RateLimit-Used"), Kind.MISSING_FIELD, Location.HEADER,
     "/x-ratelimit-used"),
    ("aura", SetValue(status=429, pointer="/success", value=True), Kind.ERROR_BODY_MISMATCH, Location.BODY,
     "/success"),
    ("aura", DropHeader(status=429, name="X-RateLimit-Reset"), Kind.MISSING_FIELD, Location.HEADER,
     "/x-ratelimit-reset"),
    ("aura", AddHeaders(status=429, headers={"X-RateLimit-Remaining": "none"}), Kind.TYPE_MISMATCH, Location.HEADER,
     "/x-ratelimit-remaining"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("name", "defect", "kind", "location", "path"),
    BROKEN_429S,
    ids=[f"{row[0]}-{type(row[1]).__name__}-{row[4]}" for row in BROKEN_429S],
)
def test_a_429_that_breaks_its_documented_response_is_named_before_the_retry(
    name: str, defect: Defect, kind: Kind, location: Location, path: str
) -> None:
    vendor = get_vendor(name)
    spec = load_spec(vendor)
    fake: Any = vendor.fake(defects=[defect])
    slept: list[float] = []
    ctx = open_run(vendor, fake_target(fake, base_url=spec.server_url), spec=spec, sleep=slept.append)
    try:
        run_guard(ctx)
        fake.faults.append(Fault("status", status=429, times=1, retry_after=1))  # the probe's first answer
        unit = next(unit for unit in plan_units(vendor, spec) if unit.id == "probe:known lead")
        outcome = run_unit(ctx, unit)
    finally:
        ctx.close()
    assert outcome.cases == 1
    assert fake.faults[0].served == 1
    # The retry was answered 200 and conforms: only the 429 broke. The 429 and its headers come from the vendors'
    # rate-limit pages, not the operation's page: inferred, so a warning that quotes its evidence.
    [finding] = [f for f in outcome.findings if f.status_code == 429]
    assert finding.evidence is not None
    assert finding.severity is (Severity.ERROR if finding.evidence.binding else Severity.WARNING)
    assert (finding.kind, finding.location, finding.path, finding.status_code) == (kind, location, path, 429)
    assert (finding.vendor, finding.operation, finding.source) == (name, vendor.read_operation, "probe:known lead")
    assert finding.expected
    assert finding.observed
    if path != "/retry-after":
        assert slept[0] == 1.0  # Retry-After honoured after it was checked


@pytest.mark.parametrize("vendor", VENDORS, ids=lambda vendor: vendor.name)
@pytest.mark.slow
def test_a_clean_fake_under_a_rate_limit_gives_no_false_failure(vendor: Vendor) -> None:
    """Real time, a real 1 s window: its 429s are checked (the fakes send the documented ones), counted among the
    documented facts checked, and reported with the waits they cost."""
    spec = load_spec(vendor)
    limit = 30  # a lean run's worth (Nexor's, the longest, is under 30 requests): one window waited out
    fake: Any = vendor.fake(rate_limit=RateLimit(limit=limit, window=1.0))
    target = fake_target(fake, base_url=spec.server_url)
    # Another integration using the same key has just spent this window's quota.
    with httpx.Client(transport=target.transport, base_url=target.base_url) as neighbour:
        for _ in range(limit):
            neighbour.get(f"{spec.operation(vendor.read_operation).path}")
    lean = dataclasses.replace(LIVE_LIMITS, rate_limit=vendor.rate_limit, connect_timeout=1.0, read_timeout=1.0)
    result = run_vendor(vendor, dataclasses.replace(target, limits=lean), spec=spec)
    assert (result.status, result.reason) == (Status.PASS, None)
    assert [f.headline() for f in result.contract_failures] == []
    assert fake.rate_limit.rejected >= 1
    assert result.rate_limited.responses == fake.rate_limit.rejected
    assert result.rate_limited.waited_seconds > 0
    met = sum(operation["statuses"].get("429", 0) for operation in result.operations.values())
    assert met == fake.rate_limit.rejected
    assert result.coverage is not None
    documented_429 = spec.operation(vendor.read_operation).response_for(429) is not None
    assert (result.coverage.observed_only[0] >= 1) is documented_429
    warned = [f for f in result.findings if f.status_code == 429 and f.severity is not Severity.INFO]
    if documented_429:
        assert warned == []  # each 429 was what the docs describe (info: e.g. PollyBot's optional details never sent)
    else:  # Nexor documents no rate limiting: its 429s are drift, never a failure
        assert {(f.kind, f.severity, f.check) for f in warned} == {
            (Kind.UNDOCUMENTED_STATUS, Severity.WARNING, "rate_limit")
        }


@pytest.mark.slow
def test_contracts_serve_with_a_rate_limit_is_a_clean_live_run(monkeypatch: pytest.MonkeyPatch, loopback: Any) -> None:
    """As ``contracts serve --rate-limit 20/1`` serves it, over real HTTP: DialNexa's fake sends Retry-After and its
    documented 429; the live run honours it, checks each 429 and reports them, with no false failure."""
    fake = DialNexaFake(rate_limit=RateLimit(limit=20, window=1.0))  # a lean DialNexa run is under 20 requests
    server = loopback(dialnexa=fake)
    for suffix in ("REQUEST_BUDGET", "RESTRICTED_API_KEY"):
        monkeypatch.delenv(DIALNEXA.env(suffix), raising=False)
    for name in ("CONNECT_TIMEOUT", "READ_TIMEOUT", "RETRIES", "TIME_BUDGET", "MAX_EXAMPLES", "PHASES"):
        monkeypatch.delenv(f"CONTRACTS_{name}", raising=False)
    for name, value in server.served["dialnexa"].environment().items():
        monkeypatch.setenv(name, value)
    spec = load_spec(DIALNEXA)
    with httpx.Client() as neighbour:  # the window's quota spent by another integration with the same key
        for _ in range(20):
            neighbour.get(f"{server.served['dialnexa'].base_url}/campaigns-leads/lead_abc123")
    result = run_vendor(DIALNEXA, config.live_target(DIALNEXA, spec, env_file=None), spec=spec)
    assert (result.status, result.reason, result.contract_failures) == (Status.PASS, None, [])
    assert fake.rate_limit is not None
    assert result.rate_limited.responses == fake.rate_limit.rejected >= 1
    assert result.rate_limited.waited_seconds >= 1.0  # Retry-After is whole seconds, at least 1
    assert result.operations["GET /campaigns-leads/{id}"]["statuses"]["429"] == fake.rate_limit.rejected
    assert result.coverage is not None
    observed_only = [fact for fact in documented_facts(DIALNEXA, spec) if fact.observed_only]
    # The read's 429 and its three body fields: checked (the other operations' 429s and 500s are never met here).
    assert result.coverage.observed_only == (4, len(observed_only))


# -- the request and time budgets ---------------------------------------------------------------------------


def test_the_request_budget_stops_the_client(client_for: Any) -> None:
    target, route = respx_target(ok, request_budget=3)
    client, _ = client_for(target)
    for _ in range(3):
        client.request("GET", LEAD, source="test")
    with pytest.raises(BudgetExhausted) as caught:
        client.request("GET", LEAD, source="test")
    assert str(caught.value) == (
        "aura: the run's request budget of 3 requests is spent (set AURA_REQUEST_BUDGET to change it)"
    )
    assert (route.call_count, client.requests_sent, len(client.exchanges)) == (3, 3, 3)


def test_retries_count_against_the_request_budget(client_for: Any) -> None:
    target, route = respx_target(httpx.Response(503), retries=5, request_budget=2)
    client, _ = client_for(target)
    with pytest.raises(BudgetExhausted, match="AURA_REQUEST_BUDGET"):
        client.request("GET", LEAD, source="test")
    [request] = [exchange for exchange in client.exchanges if not exchange.retried]
    assert (route.call_count, client.requests_sent, request.attempts) == (2, 2, 2)
    assert [(exchange.status_code, exchange.attempt) for exchange in client.exchanges[:-1]] == [(503, 1), (503, 2)]


def test_the_request_budget_makes_the_run_inconclusive_naming_the_variable(sleeps: list[float]) -> None:
    fake = AuraFake()
    target = fake_target(fake, base_url=AURA_SPEC.server_url).with_limits(request_budget=3, max_examples=1)
    result = run_vendor(AURA, target, spec=AURA_SPEC)
    assert result.status is Status.INCONCLUSIVE
    assert (
        result.reason == "aura: the run's request budget of 3 requests is spent (set AURA_REQUEST_BUDGET to change it)"
    )
    assert result.requests == fake.requests_served == 3
    assert sum(operation["requests"] for operation in result.operations.values()) == 3
    assert result.operations["GET /v1/leads/{id}"]["requests"] == 3
    # the guard and two probes were sent; the third probe found the budget spent and the run stopped there
    assert [outcome.inconclusive for outcome in result.outcomes] == [None, None, result.reason]
    assert len(plan_units(AURA, AURA_SPEC)) > 3  # the run stopped with units left to run
    assert result.contract_failures == []


def test_a_spent_time_budget_stops_the_client(client_for: Any) -> None:
    target, route = respx_target(ok, time_budget=0.05)
    client, _ = client_for(target)
    time.sleep(0.06)
    with pytest.raises(BudgetExhausted) as caught:
        client.request("GET", LEAD, source="test")
    assert "the run's time budget of 0.05 s is spent (set CONTRACTS_TIME_BUDGET to change it)" in str(caught.value)
    assert (route.call_count, client.exchanges) == (0, [])


def test_the_time_budget_makes_the_run_inconclusive(sleeps: list[float]) -> None:
    def slow_first_probe(response: httpx.Response, number: int) -> httpx.Response:
        if number == 2:
            time.sleep(0.3)  # the vendor takes longer than the whole run may
        return response

    target, route = behind_respx(slow_first_probe, time_budget=0.25)
    result = run_vendor(AURA, target, spec=AURA_SPEC)
    assert result.status is Status.INCONCLUSIVE
    assert result.reason is not None
    assert "time budget of 0.25 s is spent" in result.reason
    assert "CONTRACTS_TIME_BUDGET" in result.reason
    assert route.call_count == result.requests == 2
    assert result.duration < 2.0


# -- documented limits ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("vendor", "documented", "allowed"),
    [(AURA, (100, 60.0), 90), (POLLYBOT, (1000, 3600.0), 900)],
    ids=["aura-100-per-minute", "pollybot-1000-per-hour"],
)
def test_the_documented_limit_with_headroom_is_all_a_window_gets(vendor: Any, documented: Any, allowed: int) -> None:
    assert vendor.rate_limit is not None
    assert (vendor.rate_limit.requests, vendor.rate_limit.seconds) == documented
    pacer = Pacer(vendor.rate_limit, headroom=LIVE_LIMITS.rate_limit_headroom, vendor=vendor.name)
    granted = 0

    def send_until_refused() -> None:
        nonlocal granted
        while granted <= documented[0]:
            pacer.wait(max_wait=0.0)  # never wait: count what the window grants at once
            granted += 1

    try:
        with pytest.raises(BudgetExhausted, match="the documented rate limit leaves no room within 0 s"):
            send_until_refused()
    finally:
        pacer.close()
    assert granted == allowed


def test_the_client_never_sends_more_than_the_documented_limit_in_any_window(client_for: Any) -> None:
    stamps: list[float] = []

    def record(request: httpx.Request) -> httpx.Response:
        stamps.append(time.monotonic())
        return ok(request)

    policy = RateLimitPolicy(requests=5, seconds=0.3)
    target, _ = respx_target(record, rate_limit=policy, rate_limit_headroom=0.9)
    client, _ = client_for(target)
    for _ in range(9):
        client.request("GET", LEAD, source="test")
    busiest = max(sum(1 for other in stamps if start <= other < start + policy.seconds) for start in stamps)
    assert busiest <= 4  # int(5 * 0.9): the headroom keeps us under the documented 5
    assert stamps[-1] - stamps[0] >= 2 * policy.seconds  # nine requests need three windows


@pytest.mark.parametrize("vendor", [AURA, POLLYBOT], ids=["aura", "pollybot"])
def test_a_live_target_carries_the_documented_limit_and_the_budgets(
    monkeypatch: pytest.MonkeyPatch, vendor: Any
) -> None:
    monkeypatch.setenv(vendor.env("API_KEY"), "sandbox-key-0123456789")
    monkeypatch.setenv(vendor.env("BASE_URL"), "https://sandbox.example.com")
    monkeypatch.setenv("CONTRACTS_CONNECT_TIMEOUT", "0.5")
    monkeypatch.setenv("CONTRACTS_READ_TIMEOUT", "2.5")
    monkeypatch.setenv("CONTRACTS_TIME_BUDGET", "120")
    target = config.live_target(vendor, load_spec(vendor), env_file=None)
    limits = target.limits
    assert limits.rate_limit == vendor.rate_limit
    assert limits.rate_limit_headroom == 0.9
    assert (limits.connect_timeout, limits.read_timeout, limits.time_budget) == (0.5, 2.5, 120.0)
    assert limits.request_budget == 300
    monkeypatch.setenv(vendor.env("REQUEST_BUDGET"), "7")
    assert config.live_target(vendor, load_spec(vendor), env_file=None).limits.request_budget == 7


# -- the whole suite against a vendor that enforces a small limit ------------------------------------------------


@pytest.mark.slow
def test_a_live_like_run_against_a_rate_limiting_fake_absorbs_the_429s() -> None:
    """Real time: the fake counts a real 1 s window, so the waits it asks for are really waited."""
    fake = AuraFake(rate_limit=RateLimit(limit=15, window=1.0))  # the run needs about 60 requests
    # A live run without writes allowed (the live default): Aura's reads (the lead and the list), not its create
    # and update, whose generated bodies would take some 500 requests, half a minute of real waits here.
    target = fake_target(fake, base_url=AURA_SPEC.server_url)
    target = dataclasses.replace(target, capabilities=target.capabilities - {Capability.WRITES})
    # Another integration using the same key has just spent this window's quota.
    with httpx.Client(transport=target.transport, base_url=target.base_url) as neighbour:
        assert [neighbour.get(LEAD).status_code for _ in range(15)] == [401] * 15
    live_like = dataclasses.replace(
        LIVE_LIMITS,
        phases=("examples", "coverage", "fuzzing"),  # more requests than the lean default: several windows' worth
        max_examples=1,
        stateful_examples=1,
        stateful_steps=2,
        rate_limit=AURA.rate_limit,
        connect_timeout=1.0,
        read_timeout=1.0,
    )
    result = run_vendor(AURA, dataclasses.replace(target, limits=live_like), spec=AURA_SPEC)
    assert (result.status, result.reason) == (Status.PASS, None)
    assert [finding for finding in result.findings if finding.severity is Severity.ERROR] == []
    assert fake.rate_limit is not None
    assert fake.rate_limit.rejected >= 1  # the fake did answer 429 ...
    answered = sum(sum(operation["statuses"].values()) for operation in result.operations.values())
    sent = sum(operation["requests"] for operation in result.operations.values())
    assert sent == answered  # ... each 429 was retried, and is counted among the answers, not lost
    assert sum(operation["statuses"].get("429", 0) for operation in result.operations.values()) == (
        fake.rate_limit.rejected
    )
    # ... checked like any response (the fake sends Aura's documented 429), a documented fact checked ...
    assert result.coverage is not None
    assert result.coverage.observed_only[0] >= 1
    # ... and reported with what they cost: Aura sends no Retry-After, so the client backed off, then waited for
    # X-RateLimit-Reset (as it did whenever a window ran out); real waits, so within the run's duration.
    assert result.rate_limited.responses == fake.rate_limit.rejected
    assert 0.5 <= result.rate_limited.waited_seconds < result.duration
    assert sent == result.requests == fake.requests_served - 15
    assert sent > 15  # more than one window's worth: the headers paced the rest
    assert result.operations["GET /v1/leads/{id}"]["requests"] >= len(AURA.probes)
    assert fake.rate_limit.rejected <= 2  # after that, the X-RateLimit-* headers kept us under the limit
