"""The network gateway (contracts/transport/client.py): timeouts, retries, body cap, redaction and request policy.

Every request here goes through a respx router (``httpx.MockTransport(router.handler)``) whose routes raise
httpx's transport errors or answer scripted responses, or through a vendor fake with a fault switched on.
``sleep`` is injected, so retries and ``Retry-After`` are recorded instead of waited for.
"""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from typing import Any
from urllib.parse import quote, quote_plus

import httpx
import pytest
import respx

from contracts.engine.context import load_spec, open_run
from contracts.fakes._core import Fault
from contracts.fakes.aura import AuraFake
from contracts.fakes.nexor import NexorFake
from contracts.spec.document import Spec
from contracts.transport.client import RequestPolicy, VendorClient, analyse
from contracts.transport.targets import RunLimits, Target, fake_target, http_target
from contracts.values.errors import (
    BudgetExhausted,
    ResponseTooLarge,
    SpecError,
    UnsafeRequest,
    VendorFault,
    VendorUnhealthy,
    VendorUnreachable,
)
from contracts.values.model import Capability
from contracts.values.redaction import Redactor, Secret
from contracts.vendors import get_vendor
from tests.fixtures.exchanges import recorded_exchange
from tests.fixtures.transports import respx_target as scripted_target

AURA = get_vendor("aura")
AURA_SPEC = load_spec(AURA)
NEXOR = get_vendor("nexor")
NEXOR_SPEC = load_spec(NEXOR)
LEAD = f"/v1/leads/{AuraFake.known_lead_id}"
KEY = "aura_pk_live_0123456789abcdefghijklmn"
FAST = {"connect_timeout": 0.05, "read_timeout": 0.1}


def respx_target(spec: Spec, side_effect: Any, *, api_key: str = KEY, **limits: Any) -> tuple[Target, respx.Route]:
    """A target whose every request goes to one respx route with ``side_effect`` (respx's scripting)."""
    return scripted_target(spec, side_effect, api_key=api_key, limits=RunLimits(**{**FAST, **limits}))


class Clients:
    """Builds ``VendorClient``s with a recording ``sleep`` and closes them after the test."""

    def __init__(self) -> None:
        self.sleeps: list[float] = []
        self.opened: list[VendorClient] = []

    def __call__(
        self, target: Target, *, spec: Spec = AURA_SPEC, vendor: str = "aura", policy: RequestPolicy | None = None
    ) -> VendorClient:
        client = VendorClient(
            vendor=vendor,
            spec=spec,
            target=target,
            redactor=Redactor(target.secrets()),
            policy=policy,
            sleep=self.sleeps.append,
        )
        self.opened.append(client)
        return client


@pytest.fixture
def clients() -> Iterator[Clients]:
    made = Clients()
    yield made
    for client in made.opened:
        client.close()


def ok(request: httpx.Request) -> httpx.Response:
    return httpx.Response(200, json={"data": {"id": "1"}, "success": True})


TRANSPORT_ERRORS = (
    httpx.ConnectTimeout,
    httpx.ReadTimeout,
    httpx.ReadError,
    httpx.RemoteProtocolError,
    httpx.ConnectError,
)


# -- timeouts: bounded and configurable ------------------------------------------------------------


def test_configured_timeouts_reach_the_transport(clients: Clients) -> None:
    seen: list[dict[str, float]] = []

    def record(request: httpx.Request) -> httpx.Response:
        seen.append(request.extensions["timeout"])
        return ok(request)

    target, _ = respx_target(AURA_SPEC, record, connect_timeout=0.07, read_timeout=0.13)
    clients(target).request("GET", LEAD, source="test")
    assert seen == [{"connect": 0.07, "read": 0.13, "write": 0.13, "pool": 0.07}]


def test_timeouts_never_reach_beyond_the_time_budget(clients: Clients) -> None:
    seen: list[dict[str, float]] = []

    def record(request: httpx.Request) -> httpx.Response:
        seen.append(request.extensions["timeout"])
        return ok(request)

    target, _ = respx_target(AURA_SPEC, record, connect_timeout=5.0, read_timeout=15.0, time_budget=0.5)
    clients(target).request("GET", LEAD, source="test")
    assert 0 < seen[0]["read"] <= 0.5
    assert 0 < seen[0]["connect"] <= 0.5


def test_a_silent_server_on_loopback_times_out_after_the_read_timeout(clients: Clients) -> None:
    """A real socket that accepts the connection and never answers: the read timeout bounds the wait."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(8)  # the kernel completes the handshake; nobody ever reads or answers
        port = listener.getsockname()[1]
        target = http_target(
            name="loopback",
            base_url=f"http://127.0.0.1:{port}",
            api_key=Secret(KEY),
            limits=RunLimits(connect_timeout=0.2, read_timeout=0.1, retries=1),
        )
        client = clients(target)
        started = time.monotonic()
        with pytest.raises(VendorUnreachable) as caught:
            client.request("GET", LEAD, source="test")
        elapsed = time.monotonic() - started
    assert "timed out after 2 attempt(s)" in str(caught.value)
    assert "ReadTimeout" in str(caught.value)
    assert "read 0.1 s" in str(caught.value)
    assert elapsed < 5.0  # no hang: bounded by the timeouts (a loaded CI worker may be slow, never stuck)
    assert client.requests_sent == 2


def test_a_slow_fake_is_cut_off_by_the_read_timeout(clients: Clients) -> None:
    fake = AuraFake(faults=[Fault(kind="slow", delay=30.0)])
    target = fake_target(fake, base_url=AURA_SPEC.server_url).with_limits(read_timeout=0.05, retries=1)
    client = clients(target)
    started = time.monotonic()
    with pytest.raises(VendorUnreachable, match=r"timed out after 2 attempt\(s\) \(ReadTimeout"):
        client.request("GET", LEAD, source="test")
    assert time.monotonic() - started < 5.0  # nothing waited for; generous for a loaded CI worker
    assert fake.faults[0].served == 2
    assert len(clients.sleeps) == 1  # one backoff between the two attempts


# -- retries: idempotent reads, with backoff, honouring Retry-After --------------------------------


@pytest.mark.parametrize("error", TRANSPORT_ERRORS, ids=lambda error: error.__name__)
def test_a_read_is_retried_after_a_transport_error(clients: Clients, error: type[httpx.TransportError]) -> None:
    target, route = respx_target(AURA_SPEC, [error("boom"), error("boom"), ok], retries=3)
    client = clients(target)
    exchange = client.request("GET", LEAD, source="test")
    assert exchange.status_code == 200
    assert exchange.attempts == 3
    assert route.call_count == 3
    assert client.requests_sent == 3
    # exponential backoff with jitter: 0.5 s then 1 s, each scaled by a factor in [0.5, 1]
    assert len(clients.sleeps) == 2
    assert 0.25 <= clients.sleeps[0] <= 0.5
    assert 0.5 <= clients.sleeps[1] <= 1.0


@pytest.mark.parametrize(
    ("error", "fragment"),
    [
        (httpx.ConnectTimeout, "timed out after 3 attempt(s) (ConnectTimeout"),
        (httpx.ReadTimeout, "timed out after 3 attempt(s) (ReadTimeout"),
        (httpx.ReadError, "failed after 3 attempt(s): ReadError"),
        (httpx.RemoteProtocolError, "failed after 3 attempt(s): RemoteProtocolError"),
        (httpx.ConnectError, "failed after 3 attempt(s): ConnectError"),
    ],
    ids=["connect-timeout", "read-timeout", "reset", "truncated", "refused"],
)
def test_a_read_that_keeps_failing_is_unreachable(clients: Clients, error: type[Exception], fragment: str) -> None:
    target, route = respx_target(AURA_SPEC, error, retries=2)
    client = clients(target)
    with pytest.raises(VendorUnreachable) as caught:
        client.request("GET", LEAD, source="test")
    assert fragment in str(caught.value)
    assert caught.value.vendor == "aura"
    assert route.call_count == 3
    [exchange] = client.exchanges
    assert exchange.status_code is None
    assert exchange.attempts == 3
    assert exchange.error is not None
    assert fragment in exchange.error


@pytest.mark.parametrize("status", [500, 502, 503, 504, 429], ids=str)
def test_a_read_is_retried_after_a_retryable_status(clients: Clients, status: int) -> None:
    target, route = respx_target(AURA_SPEC, [httpx.Response(status), ok], retries=2)
    client = clients(target)
    exchange = client.request("GET", LEAD, source="test")
    assert (exchange.status_code, exchange.attempts, route.call_count) == (200, 2, 2)
    assert len(clients.sleeps) == 1


def test_a_5xx_that_outlasts_the_retries_is_returned_for_the_caller_to_judge(clients: Clients) -> None:
    target, route = respx_target(AURA_SPEC, httpx.Response(503, text="busy"), retries=2)
    client = clients(target)
    exchange = client.request("GET", LEAD, source="test")
    assert (exchange.status_code, exchange.attempts, route.call_count) == (503, 3, 3)
    assert exchange.content == b"busy"


def test_a_404_is_not_retried(clients: Clients) -> None:
    target, route = respx_target(AURA_SPEC, httpx.Response(404, json={"code": "NOT_FOUND"}), retries=3)
    exchange = clients(target).request("GET", LEAD, source="test")
    assert (exchange.status_code, exchange.attempts, route.call_count) == (404, 1, 1)
    assert clients.sleeps == []


@pytest.mark.parametrize("status", [503, 429], ids=str)
def test_retry_after_in_seconds_is_honoured(clients: Clients, status: int) -> None:
    target, route = respx_target(AURA_SPEC, [httpx.Response(status, headers={"Retry-After": "7"}), ok], retries=1)
    exchange = clients(target).request("GET", LEAD, source="test")
    assert exchange.status_code == 200
    assert clients.sleeps == [7.0]
    assert route.call_count == 2


def test_retry_after_as_an_http_date_is_honoured(clients: Clients) -> None:
    when = format_datetime(datetime.now(UTC) + timedelta(seconds=20), usegmt=True)
    target, _ = respx_target(AURA_SPEC, [httpx.Response(503, headers={"Retry-After": when}), ok], retries=1)
    clients(target).request("GET", LEAD, source="test")
    assert len(clients.sleeps) == 1
    assert 17.0 <= clients.sleeps[0] <= 20.0


@pytest.mark.parametrize("status", [503, 429], ids=str)
def test_retry_after_beyond_max_retry_wait_is_unhealthy_at_once(clients: Clients, status: int) -> None:
    target, route = respx_target(
        AURA_SPEC, httpx.Response(status, headers={"Retry-After": "3600"}), retries=3, max_retry_wait=30.0
    )
    client = clients(target)
    started = time.monotonic()
    with pytest.raises(VendorUnhealthy) as caught:
        client.request("GET", LEAD, source="test")
    assert time.monotonic() - started < 5.0  # nothing waited for; generous for a loaded CI worker
    assert caught.value.status_code == status
    assert "Retry-After 3600 s, beyond what this run may wait (30 s)" in str(caught.value)
    assert route.call_count == 1
    assert clients.sleeps == []


def test_the_last_attempt_plans_no_wait(clients: Clients) -> None:
    """With no retry left, a long Retry-After or a spent time budget must not replace the answer itself."""
    target, route = respx_target(
        AURA_SPEC, httpx.Response(503, headers={"Retry-After": "3600"}), retries=0, max_retry_wait=30.0
    )
    exchange = clients(target).request("GET", LEAD, source="test")
    assert (exchange.status_code, route.call_count) == (503, 1)

    target, route = respx_target(AURA_SPEC, httpx.ReadError, retries=0, time_budget=0.2)
    with pytest.raises(VendorUnreachable, match=r"failed after 1 attempt\(s\): ReadError"):
        clients(target).request("GET", LEAD, source="test")
    assert route.call_count == 1


def test_no_retry_is_started_that_the_time_budget_cannot_wait_for(clients: Clients) -> None:
    target, route = respx_target(AURA_SPEC, httpx.ReadError, retries=3, time_budget=0.2)
    with pytest.raises(BudgetExhausted, match="no time left in the run's budget to retry"):
        clients(target).request("GET", LEAD, source="test")
    assert route.call_count == 1  # the first backoff (at least 0.25 s) does not fit in 0.2 s
    assert clients.sleeps == []


# -- writes are not blindly retried ----------------------------------------------------------------


def nexor_post(client: VendorClient, body: dict[str, Any] | None = None) -> Any:
    return client.request("POST", "/leads", json_body=body or {"first_name": "Ada"}, source="test")


def created(request: httpx.Request) -> httpx.Response:
    return httpx.Response(201, json={"id": "lead-1"})


@pytest.mark.parametrize(
    ("error", "fragment"),
    [
        (httpx.ReadTimeout, "timed out after 1 attempt(s) (ReadTimeout"),
        (httpx.ReadError, "failed after 1 attempt(s): ReadError"),
        (httpx.RemoteProtocolError, "failed after 1 attempt(s): RemoteProtocolError"),
        (httpx.WriteError, "failed after 1 attempt(s): WriteError"),
    ],
    ids=["read-timeout", "reset", "truncated", "write-error"],
)
def test_a_post_that_may_have_been_processed_is_not_retried(
    clients: Clients, error: type[Exception], fragment: str
) -> None:
    target, route = respx_target(NEXOR_SPEC, [error("boom"), created], retries=3)
    client = clients(target, spec=NEXOR_SPEC, vendor="nexor")
    with pytest.raises(VendorUnreachable) as caught:
        nexor_post(client)
    assert fragment in str(caught.value)
    assert route.call_count == 1
    assert clients.sleeps == []


@pytest.mark.parametrize("status", [500, 502, 503, 504], ids=str)
def test_a_post_answered_with_5xx_is_not_retried(clients: Clients, status: int) -> None:
    target, route = respx_target(NEXOR_SPEC, [httpx.Response(status), created], retries=3)
    exchange = nexor_post(clients(target, spec=NEXOR_SPEC, vendor="nexor"))
    assert (exchange.status_code, exchange.attempts, route.call_count) == (status, 1, 1)


@pytest.mark.parametrize(
    "first",
    [httpx.ConnectError("refused"), httpx.ConnectTimeout("no connection"), httpx.Response(429)],
    ids=["connect-error", "connect-timeout", "429"],
)
def test_a_post_that_never_reached_the_vendor_is_retried(clients: Clients, first: Any) -> None:
    target, route = respx_target(NEXOR_SPEC, [first, created], retries=3)
    exchange = nexor_post(clients(target, spec=NEXOR_SPEC, vendor="nexor"))
    assert (exchange.status_code, exchange.attempts, route.call_count) == (201, 2, 2)


# -- the body cap -----------------------------------------------------------------------------------


class CountingStream(httpx.SyncByteStream):
    """A body of ``chunks`` pieces of ``size`` bytes that counts how many pieces were pulled."""

    def __init__(self, *, chunks: int, size: int) -> None:
        self.chunks = chunks
        self.size = size
        self.pulled = 0

    def __iter__(self) -> Iterator[bytes]:
        for _ in range(self.chunks):
            self.pulled += 1
            yield b"x" * self.size


def test_a_declared_content_length_over_the_cap_is_refused_unread(clients: Clients) -> None:
    stream = CountingStream(chunks=10, size=1000)
    response = httpx.Response(200, headers={"Content-Length": "10000"}, stream=stream)
    target, route = respx_target(AURA_SPEC, [response], retries=3, max_body_bytes=4096)
    client = clients(target)
    with pytest.raises(ResponseTooLarge) as caught:
        client.request("GET", LEAD, source="test")
    assert caught.value.limit == 4096
    assert "over the 4096 byte cap (Content-Length 10000)" in str(caught.value)
    assert stream.pulled == 0
    assert route.call_count == 1  # not retried


def test_a_streamed_body_without_length_is_cut_at_the_cap(clients: Clients) -> None:
    stream = CountingStream(chunks=1000, size=1000)  # 1 MB, never declared
    response = httpx.Response(200, headers={"Content-Type": "application/json"}, stream=stream)
    target, _ = respx_target(AURA_SPEC, [response], max_body_bytes=4096)
    client = clients(target)
    with pytest.raises(ResponseTooLarge, match="over the 4096 byte cap") as caught:
        client.request("GET", LEAD, source="test")
    assert "Content-Length" not in str(caught.value)
    assert stream.pulled == 5  # 4096 bytes need five 1000-byte pieces; the sixth is never asked for
    assert client.exchanges[0].error is not None


def test_a_body_exactly_at_the_cap_is_read(clients: Clients) -> None:
    stream = CountingStream(chunks=4, size=1024)
    target, _ = respx_target(AURA_SPEC, [httpx.Response(200, stream=stream)], max_body_bytes=4096)
    exchange = clients(target).request("GET", LEAD, source="test")
    assert len(exchange.content) == 4096


def test_a_head_response_declaring_a_large_body_is_not_too_large(clients: Clients) -> None:
    response = httpx.Response(200, headers={"Content-Length": "5000000"}, stream=CountingStream(chunks=0, size=0))
    target, _ = respx_target(AURA_SPEC, [response], max_body_bytes=4096)
    exchange = clients(target).request("HEAD", LEAD, source="test")
    assert (exchange.status_code, exchange.content) == (200, b"")


def test_the_fake_huge_fault_is_refused_by_the_cap(clients: Clients) -> None:
    fake = AuraFake(faults=[Fault(kind="huge", status=200, size=50_000)])
    target = fake_target(fake, base_url=AURA_SPEC.server_url).with_limits(max_body_bytes=4096, retries=2)
    with pytest.raises(ResponseTooLarge, match=r"answered 200 with a body over the 4096 byte cap \(Content-Length"):
        clients(target).request("GET", LEAD, source="test")
    assert fake.faults[0].served == 1


def test_a_body_trickling_in_is_stopped_by_the_time_budget(clients: Clients) -> None:
    """Each piece arrives within the read timeout, so only the run's time budget can stop it."""

    class Trickle(httpx.SyncByteStream):
        def __iter__(self) -> Iterator[bytes]:
            for _ in range(1000):
                time.sleep(0.01)
                yield b" "

    target, _ = respx_target(AURA_SPEC, [httpx.Response(200, stream=Trickle())], time_budget=0.2)
    client = clients(target)
    started = time.monotonic()
    with pytest.raises(BudgetExhausted) as caught:
        client.request("GET", LEAD, source="test")
    assert time.monotonic() - started < 5.0  # nothing waited for; generous for a loaded CI worker
    assert "time budget of 0.2 s is spent (reading the body of GET" in str(caught.value)
    assert "CONTRACTS_TIME_BUDGET" in str(caught.value)


# -- the exchange log never holds a key --------------------------------------------------------------


def spellings(key: str) -> set[str]:
    return {key, quote(key, safe=""), quote(key), quote_plus(key)}


def echo(request: httpx.Request) -> httpx.Response:
    """A vendor that echoes everything it got: the URL, every header and the body."""
    return httpx.Response(
        200,
        headers={"Link": f"<{request.url}>; rel=self", "X-Echo": request.headers.get("authorization", "")},
        json={"url": str(request.url), "headers": dict(request.headers), "body": request.content.decode()},
    )


@pytest.mark.parametrize(
    "key",
    [KEY, "key_fake0001:dnxsecret000000000000000000000000", "sk-workspace_a/b+c=d~e"],
    ids=["aura", "dialnexa-key-id-and-secret", "reserved-characters"],
)
def test_the_exchange_log_never_holds_the_key(clients: Clients, key: str) -> None:
    target, _ = respx_target(AURA_SPEC, echo, api_key=key)
    client = clients(target)
    client.request(
        "GET",
        f"/v1/leads/{quote(key, safe='')}",
        params={"api_key": key},
        headers={"Authorization": f"Bearer {key}", "X-Debug": key},
        source="test",
    )
    client.request("POST", "/v1/leads", params=f"token={quote(key, safe='')}", json_body={"key": key}, source="test")
    assert len(client.exchanges) == 2
    for exchange in client.exchanges:
        logged = repr(vars(exchange)) + repr(exchange.example()) + exchange.content.decode()
        assert not [spelling for spelling in spellings(key) if spelling in logged]
        assert "[REDACTED]" in exchange.url
        assert "authorization" not in exchange.request_headers  # credential headers are dropped, not masked
    assert client.exchanges[0].response_headers["x-echo"] == "Bearer [REDACTED]"
    assert client.exchanges[0].request_headers["x-debug"] == "[REDACTED]"
    assert client.exchanges[0].path == "/v1/leads/[REDACTED]"
    assert client.exchanges[1].request_json() == {"key": "[REDACTED]"}
    assert client.exchanges[0].json()["url"].count("[REDACTED]") == 2  # path and query, echoed by the vendor


def test_a_fault_message_never_holds_the_key_in_the_url(clients: Clients) -> None:
    def reset(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadError(f"connection to {request.url} reset by peer")

    target, _ = respx_target(AURA_SPEC, reset, retries=1)
    client = clients(target)
    with pytest.raises(VendorUnreachable) as caught:
        client.request("GET", LEAD, params={"key": KEY}, source="test")
    assert KEY not in str(caught.value)
    assert str(caught.value).count("[REDACTED]") == 2  # our URL and the one inside httpx's message
    assert client.exchanges[0].error == str(caught.value)


def test_a_binary_body_is_logged_byte_for_byte(clients: Clients) -> None:
    payload = bytes(range(256)) + KEY.encode()
    target, _ = respx_target(AURA_SPEC, [httpx.Response(200, content=payload)])
    exchange = clients(target).request("GET", LEAD, source="test")
    assert exchange.content == bytes(range(256)) + b"[REDACTED]"


# -- the request policy -------------------------------------------------------------------------------


def test_writes_are_refused_when_not_allowed(clients: Clients) -> None:
    target, route = respx_target(NEXOR_SPEC, created)
    client = clients(
        target,
        spec=NEXOR_SPEC,
        vendor="nexor",
        policy=RequestPolicy(allow_writes=False, vendor_env_prefix="NEXOR"),
    )
    with pytest.raises(UnsafeRequest, match=r"refusing POST /leads: writes are not allowed .*NEXOR_ALLOW_WRITES=1"):
        nexor_post(client)
    assert route.call_count == 0
    assert (client.exchanges, client.requests_sent) == ([], 0)
    assert client.request("GET", "/leads/abc", source="test").status_code == 201  # reads still go out


OUTREACH = {"POST /leads": ("workflow_id", "campaign_id", "force_first_message")}


@pytest.mark.parametrize("field", ["workflow_id", "campaign_id", "force_first_message"])
def test_outreach_fields_are_refused(clients: Clients, field: str) -> None:
    target, route = respx_target(NEXOR_SPEC, created)
    policy = RequestPolicy(forbidden_fields=OUTREACH, vendor_env_prefix="NEXOR")
    client = clients(target, spec=NEXOR_SPEC, vendor="nexor", policy=policy)
    with pytest.raises(UnsafeRequest) as caught:
        nexor_post(client, {"first_name": "Ada", field: "x"})
    assert f"it would send {field}, which trigger real outreach" in str(caught.value)
    assert "NEXOR_ALLOW_OUTREACH=1" in str(caught.value)
    assert route.call_count == 0
    # raw JSON bytes (how schemathesis's requests arrive) are inspected too
    with pytest.raises(UnsafeRequest):
        client.request("POST", "/leads", content=f'{{"{field}": 1}}'.encode(), source="schemathesis")
    assert route.call_count == 0
    assert nexor_post(client, {"first_name": "Ada"}).status_code == 201


@pytest.mark.parametrize(
    ("method", "path"),
    # Nexor documents PUT and PATCH on /leads/{id} (issue 10), not on /leads.
    [("DELETE", "/leads/abc"), ("PUT", "/leads"), ("PATCH", "/leads"), ("POST", "/leads/abc/archive")],
    ids=["delete", "put", "patch", "post-undocumented-path"],
)
def test_undocumented_writes_are_refused_when_not_allowed(clients: Clients, method: str, path: str) -> None:
    target, route = respx_target(NEXOR_SPEC, created)
    policy = RequestPolicy(allow_undocumented_methods=False, vendor_env_prefix="NEXOR")
    client = clients(target, spec=NEXOR_SPEC, vendor="nexor", policy=policy)
    with pytest.raises(UnsafeRequest, match=f"refusing {method}: the spec documents no such operation"):
        client.request(method, path, source="test")
    assert route.call_count == 0
    for safe in ("GET", "OPTIONS", "HEAD", "TRACE"):
        client.request(safe, path, source="test")
    assert route.call_count == 4
    allowing = clients(target, spec=NEXOR_SPEC, vendor="nexor", policy=RequestPolicy())
    assert allowing.request(method, path, source="test").status_code == 201


def test_a_live_target_gets_a_policy_that_refuses_writes_outreach_and_undocumented_methods() -> None:
    target = http_target(name="live", base_url=NEXOR_SPEC.server_url, api_key=Secret("nxr_live_" + "0" * 32))
    ctx = open_run(NEXOR, target, spec=NEXOR_SPEC)
    try:
        policy = ctx.client.policy
        assert (policy.allow_writes, policy.allow_undocumented_methods) == (False, False)
        assert policy.forbidden_fields == {
            **OUTREACH,
            "PUT /leads/{id}": ("campaign_id",),
            "PATCH /leads/{id}": ("campaign_id",),
        }
        assert policy.vendor_env_prefix == "NEXOR"
    finally:
        ctx.close()
    assert not target.allows(Capability.WRITES)


# -- our own bugs are not vendor faults ------------------------------------------------------------------


def test_a_bug_behind_the_transport_propagates_unretried(clients: Clients) -> None:
    def broken(request: httpx.Request) -> httpx.Response:
        raise RuntimeError("bug in the fake")

    target, route = respx_target(AURA_SPEC, broken, retries=3)
    with pytest.raises(RuntimeError, match="bug in the fake") as caught:
        clients(target).request("GET", LEAD, source="test")
    assert not isinstance(caught.value, VendorFault)
    assert route.call_count == 1
    assert clients.sleeps == []


def test_a_bug_in_a_fake_handler_propagates(clients: Clients) -> None:
    class BrokenFake(NexorFake):
        def get_lead(self, request: Any, match: Any) -> Any:
            raise KeyError("a bug in the fake, not a vendor fault")

    fake = BrokenFake()
    target = fake_target(fake, base_url=NEXOR_SPEC.server_url)
    client = clients(target, spec=NEXOR_SPEC, vendor="nexor")
    key = NEXOR_SPEC.credential_headers(NEXOR.security_scheme, NexorFake.api_key)
    with pytest.raises(KeyError, match="a bug in the fake"):
        client.request("GET", f"/leads/{NexorFake.known_lead_id}", headers=key, source="test")
    assert fake.requests_served == 1


def test_analyse_matches_each_exchange_to_its_documented_response_and_parses_bodies_once():
    read, undocumented_status, stranger = (
        recorded_exchange({"id": "x"}),
        recorded_exchange({"id": "x"}, status=418),
        recorded_exchange({"id": "x"}),
    )
    stranger.operation = None
    items = analyse(NEXOR_SPEC, [read, undocumented_status, stranger])
    assert [item.exchange for item in items] == [read, undocumented_status, stranger]
    assert items[0].operation is NEXOR_SPEC.operation("GET /leads/{id}")
    assert items[0].documented == NEXOR_SPEC.operation("GET /leads/{id}").responses["200"]
    assert items[1].operation is not None
    assert (items[1].documented, items[2].operation, items[2].documented) == (None, None, None)
    assert items[0].body is items[0].body == {"id": "x"}, "parsed once, on first read"
    assert items[0].example() == read.example()
    read.operation = "GET /nowhere"
    with pytest.raises(SpecError, match="no operation 'GET /nowhere'"):
        analyse(NEXOR_SPEC, [read])  # the client records only the spec's labels: anything else is a bug
