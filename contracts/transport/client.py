"""The one gateway every request to a vendor passes through (ours and schemathesis's).

``VendorClient`` wraps an httpx client with what talking to an API we do not
control needs: bounded timeouts, retries with backoff for idempotent reads
(honouring ``Retry-After``), pacing under the documented rate limit and the
``X-RateLimit-*`` headers, a per-run request and time budget, a cap on how much
of a body is read, refusal of requests with real-world side effects, and a log
of every exchange (credentials stripped, secrets redacted) for the drift
observer and the report. A response the client retries (a 429, a 5xx to an
idempotent request) is logged as an exchange of its own, marked ``retried``,
so that it is checked, observed and counted like any other; the client also
counts the 429s it met and the seconds it waited because of them.
"""

from __future__ import annotations

import json
import logging
import random
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from email.utils import parsedate_to_datetime
from functools import cached_property
from typing import Any

import httpx
from pyrate_limiter import Duration, Limiter, Rate
from tenacity import RetryCallState, Retrying, retry_if_exception_type, stop_after_attempt

from contracts.spec.conformance import ObservedResponse
from contracts.spec.document import Operation, ResponseSpec, Spec
from contracts.transport.targets import Target
from contracts.values.errors import (
    BudgetExhausted,
    ResponseTooLarge,
    UnsafeRequest,
    VendorUnhealthy,
    VendorUnreachable,
)
from contracts.values.model import OWNED, RateLimitPolicy
from contracts.values.redaction import Redactor

log = logging.getLogger("contracts.http")

IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
RETRYABLE_STATUSES = frozenset({429, 500, 502, 503, 504})
NOT_SENT_ERRORS: tuple[type[httpx.TransportError], ...] = (httpx.ConnectError, httpx.ConnectTimeout)
"""Transport errors raised before the request reached the vendor: safe to retry even for writes."""


@dataclass(frozen=True, kw_only=True)
class RequestPolicy:
    """What a run may send: writes at all, and which body fields are forbidden per operation."""

    allow_writes: bool = True
    allow_undocumented_methods: bool = True
    forbidden_fields: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    """Operation label -> top-level body fields that must not be sent (outreach triggers)."""
    forbidden_operations: Mapping[str, str] = field(default_factory=dict)
    """Operation label -> why it must not be sent at all here (it needs outreach the target does not allow)."""
    path_bindings: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    """Operation label -> path parameter -> ``OWNED`` or the variable it must equal (``Vendor.path_bindings``)."""
    body_bindings: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    """Operation label -> top-level JSON body field -> ``OWNED`` or a variable (``Vendor.body_bindings``)."""
    variables: Mapping[str, str] = field(default_factory=dict)
    """The values of the variables bindings name (what the user configured)."""
    owns: Callable[[str], bool] = field(default=lambda value: True)
    """Whether a value names a record this run may write to (``OWNED``); see ``RunContext.owns``."""
    vendor_env_prefix: str = ""


@dataclass(kw_only=True)
class Exchange:
    """One request and its response (or the fault that stopped it), safe to keep and to show."""

    vendor: str
    operation: str | None
    method: str
    url: str
    path: str
    request_headers: dict[str, str]
    request_body: bytes | None
    source: str
    status_code: int | None = None
    response_headers: dict[str, str] = field(default_factory=dict)
    content: bytes = b""
    elapsed: float = 0.0
    attempts: int = 0
    """Requests this entry of the log accounts for: all the attempts of the request (retries included) on the
    request's own exchange, none on a ``retried`` one, so the log's attempts add up to the requests sent."""
    error: str | None = None
    retried: bool = False
    """This is a response the client did not return but retried after (a 429, or a 5xx to an idempotent request),
    or gave up on when the retries ran out; the request's own exchange follows it in the log."""
    attempt: int = 0
    """Which attempt of its request a ``retried`` response answered (1 for the first)."""

    @property
    def response(self) -> ObservedResponse:
        if self.status_code is None:
            raise ValueError(f"{self.method} {self.url} has no response: {self.error}")
        return ObservedResponse(self.status_code, self.response_headers, self.content)

    def json(self) -> Any:
        """The response body as JSON, or None when there is none or it is not JSON."""
        try:
            return json.loads(self.content) if self.content else None
        except ValueError:
            return None

    def request_json(self) -> Any:
        try:
            return json.loads(self.request_body) if self.request_body else None
        except ValueError:
            return None

    def example(self) -> dict[str, Any]:
        """A redacted description of the request, for findings."""
        return _example(self, self.request_json())


def _example(exchange: Exchange, request_body: Any) -> dict[str, Any]:
    example: dict[str, Any] = {"method": exchange.method, "url": exchange.url}
    if request_body is not None:
        example["body"] = request_body
    return example


@dataclass(frozen=True)
class AnalysedExchange:
    """A finished exchange matched to the spec once, its bodies parsed at most once (when first read).

    Everything that reads a run's exchanges afterwards (drift observations, the facts they checked, the
    requests per operation and created records) takes these, so no exchange is matched or parsed twice.
    """

    exchange: Exchange
    operation: Operation | None
    """The operation the client matched (``exchange.operation``), None for an undocumented one."""
    documented: ResponseSpec | None
    """The response the spec documents for the status; None without an operation, a response, or such a status."""

    @cached_property
    def body(self) -> Any:
        """The response body as JSON (``Exchange.json``)."""
        return self.exchange.json()

    @cached_property
    def request_body(self) -> Any:
        """The request body as JSON (``Exchange.request_json``): only created records and findings need it."""
        return self.exchange.request_json()

    def example(self) -> dict[str, Any]:
        """``Exchange.example``, from the request body parsed here."""
        return _example(self.exchange, self.request_body)


def analyse(spec: Spec, exchanges: Iterable[Exchange]) -> list[AnalysedExchange]:
    """Each exchange matched to its operation's documented response for its status, once."""
    operations = {operation.label: operation for operation in spec.operations}
    analysed: list[AnalysedExchange] = []
    for exchange in exchanges:
        label = exchange.operation
        # The client only records labels of the spec's operations; spec.operation names any other as a bug.
        operation = None if label is None else operations.get(label) or spec.operation(label)
        documented = (
            operation.response_for(exchange.status_code)
            if operation is not None and exchange.status_code is not None
            else None
        )
        analysed.append(AnalysedExchange(exchange, operation, documented))
    return analysed


class _RetryableStatus(Exception):
    def __init__(self, response: httpx.Response, content: bytes, record: Exchange) -> None:
        super().__init__(response.status_code)
        self.response = response
        self.content = content
        self.record = record
        """The response's own entry in the exchange log."""


class Pacer:
    """Keeps a run under the documented limit and waits out exhausted ``X-RateLimit-*`` windows."""

    def __init__(
        self,
        policy: RateLimitPolicy | None,
        *,
        headroom: float,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.time,
        vendor: str | None = None,
    ) -> None:
        self._vendor = vendor
        self._limiter: Limiter | None = None
        if policy is not None:
            allowed = max(int(policy.requests * headroom), 1)
            self._limiter = Limiter(Rate(allowed, int(policy.seconds * Duration.SECOND)))
        self._sleep = sleep
        self._clock = clock
        self._resume_at = 0.0

    def wait(self, *, max_wait: float) -> float:
        """Block until a request may be sent; raise ``BudgetExhausted`` if that is more than ``max_wait`` away.

        Returns the seconds waited for an exhausted window to reset (not the documented limit's own pacing).
        """
        pause = self._resume_at - self._clock()
        if pause > max_wait:
            raise BudgetExhausted(
                f"rate limit resets in {pause:.0f} s, beyond what this run may wait ({max_wait:.0f} s)",
                vendor=self._vendor,
            )
        if pause > 0:
            log.info("rate limit exhausted; waiting %.1f s for the window to reset", pause)
            self._sleep(pause)
        if self._limiter is not None and not self._limiter.try_acquire("vendor", blocking=True, timeout=max_wait):
            raise BudgetExhausted(
                f"the documented rate limit leaves no room within {max_wait:.0f} s", vendor=self._vendor
            )
        return max(pause, 0.0)

    def close(self) -> None:
        """Stop the limiter's background leaker thread."""
        if self._limiter is not None:
            self._limiter.close()

    def observe(self, headers: httpx.Headers) -> None:
        """Read the vendor's rate-limit headers: pause when ``Remaining`` hits zero, until ``Reset``."""
        remaining = headers.get("x-ratelimit-remaining")
        if remaining is None or not remaining.strip().isdigit() or int(remaining) > 0:
            return
        reset = _reset_seconds(headers.get("x-ratelimit-reset"), now=self._clock())
        if reset is not None:
            self._resume_at = max(self._resume_at, self._clock() + reset)


def _reset_seconds(value: str | None, *, now: float) -> float | None:
    """``X-RateLimit-Reset`` as seconds from now: vendors send either a unix time or a delta."""
    if value is None:
        return None
    try:
        number = float(value)
    except ValueError:
        return None
    return max(number - now, 0.0) if number > 1_000_000_000 else max(number, 0.0)


def retry_after_seconds(value: str | None, *, now: float) -> float | None:
    """A ``Retry-After`` header (delay-seconds or HTTP date) in seconds, or None."""
    if not value:
        return None
    try:
        return max(float(value), 0.0)
    except ValueError:
        pass
    try:
        return max(parsedate_to_datetime(value).timestamp() - now, 0.0)
    except (TypeError, ValueError):
        return None


class VendorClient:
    """Sends requests to one vendor's target, safely; see the module docstring."""

    def __init__(
        self,
        *,
        vendor: str,
        spec: Spec,
        target: Target,
        redactor: Redactor,
        policy: RequestPolicy | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.vendor = vendor
        self.spec = spec
        self.target = target
        self.limits = target.limits
        self.redactor = redactor
        self.policy = policy or RequestPolicy()
        self.exchanges: list[Exchange] = []
        self.requests_sent = 0
        self.rate_limited_responses = 0
        """429s the vendor answered (each one is also a ``retried`` exchange in the log)."""
        self.rate_limit_wait = 0.0
        self.on_response: Callable[[Exchange], object] | None = None
        """Called with each request's exchange as soon as its response is in (the run's clean-up ledger
        records what it created there, so a run killed halfway has already written it down)."""
        """Seconds waited because of the vendor's rate limit: before retrying a 429 (its Retry-After, or the
        backoff when it has none) and for an exhausted window (``X-RateLimit-Remaining: 0``) to reset."""
        self._sleep = sleep
        self._lock = threading.Lock()
        self._started = time.monotonic()
        self._credential_headers = spec.credential_header_names()
        self._pacer = Pacer(
            target.limits.rate_limit, headroom=target.limits.rate_limit_headroom, sleep=sleep, vendor=vendor
        )
        timeout = httpx.Timeout(
            connect=self.limits.connect_timeout,
            read=self.limits.read_timeout,
            write=self.limits.read_timeout,
            pool=self.limits.connect_timeout,
        )
        self._http = httpx.Client(
            base_url=target.base_url, transport=target.transport, timeout=timeout, follow_redirects=False
        )

    def close(self) -> None:
        self._http.close()
        self._pacer.close()

    # budget ---------------------------------------------------------------------------------

    def remaining_time(self) -> float:
        if self.limits.time_budget is None:
            return float("inf")
        return self.limits.time_budget - (time.monotonic() - self._started)

    def _max_wait(self) -> float:
        return min(self.limits.max_retry_wait, max(self.remaining_time(), 0.0))

    def _time_spent(self, during: str = "") -> BudgetExhausted:
        return BudgetExhausted(
            f"the run's time budget of {self.limits.time_budget:g} s is spent{during} "
            f"(set CONTRACTS_TIME_BUDGET to change it)",
            vendor=self.vendor,
        )

    def _spend(self) -> None:
        if self.remaining_time() <= 0:
            raise self._time_spent()
        budget = self.limits.request_budget
        with self._lock:
            if budget is not None and self.requests_sent >= budget:
                raise BudgetExhausted(
                    f"the run's request budget of {budget} requests is spent "
                    f"(set {self.policy.vendor_env_prefix or self.vendor.upper()}_REQUEST_BUDGET to change it)",
                    vendor=self.vendor,
                )
            self.requests_sent += 1

    def _timeouts(self) -> dict[str, float]:
        """This attempt's timeouts: the configured ones, but never beyond what is left of the time budget."""
        remaining = max(self.remaining_time(), 0.001)
        connect = min(self.limits.connect_timeout, remaining)
        read = min(self.limits.read_timeout, remaining)
        return {"connect": connect, "read": read, "write": read, "pool": connect}

    # sending --------------------------------------------------------------------------------

    def request(
        self,
        method: str,
        path: str,
        *,
        headers: Mapping[str, str] | None = None,
        params: Mapping[str, Any] | str | bytes | None = None,
        json_body: Any = None,
        content: bytes | None = None,
        files: Mapping[str, tuple[str, bytes, str]] | None = None,
        source: str,
    ) -> Exchange:
        """Send one request (with retries where safe) and return the exchange.

        Raises a ``VendorFault`` when the vendor cannot be reached or keeps refusing (timeouts,
        resets, 429), ``ResponseTooLarge`` for an oversized body, and ``UnsafeRequest`` for a
        request this run may not send. A 5xx that outlasts the retries is returned, not raised:
        whether it is a finding or makes the vendor unhealthy is the caller's decision.
        """
        method = method.upper()
        operation = self.spec.match(method, path)
        label = operation.label if operation else None
        if json_body is not None:
            content = json.dumps(json_body).encode()
            headers = {"Content-Type": "application/json", **(headers or {})}
        if files is not None:
            # ``files`` (field -> filename, bytes, media type) goes as multipart/form-data, logged as sent.
            request = self._http.build_request(method, path, headers=headers, params=params, files=files)
            content = request.read()
        else:
            request = self._http.build_request(method, path, headers=headers, params=params, content=content)
        self._enforce_policy(method, label, content, path.split("?", 1)[0])
        exchange = Exchange(
            vendor=self.vendor,
            operation=label,
            method=method,
            url=self.redactor.scrub(str(request.url)),
            path=self.redactor.scrub(path),
            request_headers=self._safe_headers(request.headers),
            request_body=self._safe_body(content),
            source=source,
        )
        with self._lock:
            self.exchanges.append(exchange)
        started = time.monotonic()
        try:
            response, body = self._send_with_retries(request, exchange)
        except (VendorUnreachable, VendorUnhealthy, BudgetExhausted, ResponseTooLarge) as fault:
            exchange.error = str(fault)
            if exchange.attempts == 0:  # stopped by the budget or the pacer before anything was sent
                with self._lock:
                    self._forget(exchange)
            raise
        finally:
            exchange.elapsed = time.monotonic() - started
        exchange.status_code = response.status_code
        exchange.response_headers = self._response_headers(response)
        exchange.content = self._scrub_bytes(body)
        log.debug("%s %s -> %s (%.0f ms)", method, exchange.url, response.status_code, exchange.elapsed * 1000)
        if self.on_response is not None:
            self.on_response(exchange)
        return exchange

    def _send_with_retries(self, request: httpx.Request, exchange: Exchange) -> tuple[httpx.Response, bytes]:
        idempotent = request.method in IDEMPOTENT_METHODS
        retryable: tuple[type[BaseException], ...] = (
            (_RetryableStatus, httpx.TransportError) if idempotent else (_RetryableStatus, *NOT_SENT_ERRORS)
        )
        retrying = Retrying(
            stop=stop_after_attempt(self.limits.retries + 1),
            wait=self._wait_before_retry,
            retry=retry_if_exception_type(retryable),
            sleep=self._sleep,
            reraise=True,
        )
        try:
            for attempt in retrying:
                with attempt:
                    return self._send_once(request, exchange, idempotent=idempotent)
        except _RetryableStatus as exhausted:
            if exhausted.response.status_code == 429:  # its record stays in the log: it was met and given up on
                raise VendorUnhealthy(
                    f"{request.method} {exchange.url} still answered 429 Too Many Requests "
                    f"after {exchange.attempts} attempts",
                    vendor=self.vendor,
                    status_code=429,
                ) from None
            # The last 5xx is the request's answer: its exchange carries it, so it is not logged twice.
            with self._lock:
                self._forget(exhausted.record)
            return exhausted.response, exhausted.content
        except httpx.TimeoutException as exc:
            if self.remaining_time() <= 0:
                raise self._time_spent(f" (waiting for {request.method} {exchange.url})") from None
            raise VendorUnreachable(
                f"{request.method} {exchange.url} timed out after {exchange.attempts} attempt(s) "
                f"({type(exc).__name__}; connect {self.limits.connect_timeout:g} s, "
                f"read {self.limits.read_timeout:g} s)",
                vendor=self.vendor,
            ) from None
        except httpx.TransportError as exc:
            raise VendorUnreachable(
                f"{request.method} {exchange.url} failed after {exchange.attempts} attempt(s): "
                f"{type(exc).__name__}: {self.redactor.scrub(str(exc))}",
                vendor=self.vendor,
            ) from None
        raise AssertionError("unreachable: tenacity either returns or raises")  # pragma: no cover

    def _send_once(
        self, request: httpx.Request, exchange: Exchange, *, idempotent: bool
    ) -> tuple[httpx.Response, bytes]:
        waited = self._pacer.wait(max_wait=self._max_wait())
        if waited:
            with self._lock:
                self.rate_limit_wait += waited
        self._spend()
        exchange.attempts += 1  # only attempts that were actually sent count
        request.extensions["timeout"] = self._timeouts()
        started = time.monotonic()
        response = self._http.send(request, stream=True)
        try:
            body = self._read_capped(response, request)
        finally:
            response.close()
        self._pacer.observe(response.headers)
        retry_write = response.status_code == 429  # a 429 means the request was not processed
        if response.status_code == 429:
            with self._lock:
                self.rate_limited_responses += 1
        if response.status_code in RETRYABLE_STATUSES and (idempotent or retry_write):
            record = self._record_retried(exchange, response, body, elapsed=time.monotonic() - started)
            raise _RetryableStatus(response, body, record)
        return response, body

    def _record_retried(self, exchange: Exchange, response: httpx.Response, body: bytes, *, elapsed: float) -> Exchange:
        """Log a response the client will retry (or give up on) as its own exchange, just before its request's."""
        record = replace(
            exchange,
            status_code=response.status_code,
            response_headers=self._response_headers(response),
            content=self._scrub_bytes(body),
            elapsed=elapsed,
            attempts=0,
            error=None,
            retried=True,
            attempt=exchange.attempts,
        )
        with self._lock:
            index = next(i for i, logged in enumerate(self.exchanges) if logged is exchange)
            self.exchanges.insert(index, record)
        return record

    def _forget(self, exchange: Exchange) -> None:
        """Remove this very exchange from the log (not one that merely compares equal to it); hold the lock."""
        index = next((i for i, logged in enumerate(self.exchanges) if logged is exchange), None)
        if index is not None:
            del self.exchanges[index]

    def _response_headers(self, response: httpx.Response) -> dict[str, str]:
        return {name.lower(): self.redactor.scrub(value) for name, value in response.headers.items()}

    def _read_capped(self, response: httpx.Response, request: httpx.Request) -> bytes:
        cap = self.limits.max_body_bytes
        declared = response.headers.get("content-length")
        too_large = (
            f"{request.method} {self.redactor.scrub(str(request.url))} answered {response.status_code} "
            f"with a body over the {cap} byte cap"
        )
        # A HEAD response declares the length of the body it does not send.
        if request.method != "HEAD" and declared is not None and declared.isdigit() and int(declared) > cap:
            raise ResponseTooLarge(f"{too_large} (Content-Length {declared})", vendor=self.vendor, limit=cap)
        chunks: list[bytes] = []
        size = 0
        for chunk in response.iter_bytes():
            size += len(chunk)
            if size > cap:
                raise ResponseTooLarge(too_large, vendor=self.vendor, limit=cap)
            chunks.append(chunk)
            if self.remaining_time() <= 0:  # a body trickling in, each piece within the read timeout
                raise self._time_spent(
                    f" (reading the body of {request.method} {self.redactor.scrub(str(request.url))})"
                )
        return b"".join(chunks)

    def _wait_before_retry(self, state: RetryCallState) -> float:
        if state.attempt_number >= self.limits.retries + 1:
            return 0.0  # tenacity asks for the wait before checking the stop: no retry follows this attempt
        outcome = state.outcome
        error = outcome.exception() if outcome is not None else None
        backoff = min(0.5 * 2 ** (state.attempt_number - 1), 8.0) * (0.5 + random.random() / 2)
        wait = float(backoff)
        if isinstance(error, _RetryableStatus):
            retry_after = retry_after_seconds(error.response.headers.get("retry-after"), now=time.time())
            if retry_after is not None:
                if retry_after > self._max_wait():
                    raise VendorUnhealthy(
                        f"{error.response.request.method} {self.redactor.scrub(str(error.response.request.url))} "
                        f"answered {error.response.status_code} with Retry-After {retry_after:.0f} s, "
                        f"beyond what this run may wait ({self._max_wait():.0f} s)",
                        vendor=self.vendor,
                        status_code=error.response.status_code,
                    )
                wait = float(retry_after)
            elif backoff > self.remaining_time():
                raise BudgetExhausted("no time left in the run's budget to retry", vendor=self.vendor)
            if error.response.status_code == 429:
                with self._lock:
                    self.rate_limit_wait += wait
            return wait
        if backoff > self.remaining_time():
            raise BudgetExhausted("no time left in the run's budget to retry", vendor=self.vendor)
        return wait

    # policy and redaction -------------------------------------------------------------------

    def _enforce_policy(self, method: str, label: str | None, content: bytes | None, path: str = "") -> None:
        if method in IDEMPOTENT_METHODS or method == "TRACE":
            return
        if label is None and not self.policy.allow_undocumented_methods:
            raise UnsafeRequest(
                f"refusing {method}: the spec documents no such operation, and on this target it could change "
                "real data",
                vendor=self.vendor,
            )
        if not self.policy.allow_writes:
            raise UnsafeRequest(
                f"refusing {label or method + ' (undocumented path)'}: writes are not allowed for this target "
                f"(set {self.policy.vendor_env_prefix}_ALLOW_WRITES=1 to allow them)",
                vendor=self.vendor,
            )
        why_not = self.policy.forbidden_operations.get(label or "")
        if why_not is not None:
            raise UnsafeRequest(f"refusing {label}: {why_not}", vendor=self.vendor)
        body = _json_or_none(content)
        self._enforce_bindings(label or "", path, body)
        forbidden = self.policy.forbidden_fields.get(label or "", ())
        if not forbidden or body is None:
            return
        sent = sorted(name for name in forbidden if isinstance(body, dict) and name in body)
        if sent:
            raise UnsafeRequest(
                f"refusing {label}: it would send {', '.join(sent)}, which trigger real outreach "
                f"(set {self.policy.vendor_env_prefix}_ALLOW_OUTREACH=1 to allow them)",
                vendor=self.vendor,
            )

    def _enforce_bindings(self, label: str, path: str, body: Any) -> None:
        """Refuse a write whose bound path parameter or body field names anything but what it is bound to."""
        operation = self.spec.operation(label) if label else None
        values = operation.path_values(path) if operation is not None else {}
        checks = [
            (f"path parameter {name}", values.get(name), binding)
            for name, binding in self.policy.path_bindings.get(label, {}).items()
        ]
        if isinstance(body, dict):
            checks += [
                (f"body field {name}", body[name], binding)
                for name, binding in self.policy.body_bindings.get(label, {}).items()
                if name in body
            ]
        for where, value, binding in checks:
            if binding == OWNED:
                if isinstance(value, str) and self.policy.owns(value):
                    continue
                allowed = "a record this run created"
            else:
                if value is not None and value == self.policy.variables.get(binding):
                    continue
                allowed = f"the configured {self.policy.vendor_env_prefix}_{binding.upper()}"
            raise UnsafeRequest(
                f"refusing {label}: its {where} is {self.redactor.scrub(repr(value))}, not {allowed} "
                "(a run writes only to what it made or what the user named)",
                vendor=self.vendor,
            )

    def _safe_headers(self, headers: httpx.Headers) -> dict[str, str]:
        return {
            name.lower(): self.redactor.scrub(value)
            for name, value in headers.items()
            if name.lower() not in self._credential_headers
        }

    def _safe_body(self, content: bytes | None) -> bytes | None:
        return None if content is None else self._scrub_bytes(content)

    def _scrub_bytes(self, content: bytes) -> bytes:
        """``content`` with every secret masked, and every other byte kept as it was."""
        if not content or not self.redactor:
            return content
        try:
            text, encoding = content.decode("utf-8"), "utf-8"
        except UnicodeDecodeError:
            text, encoding = content.decode("latin-1"), "latin-1"  # maps bytes 1:1, so nothing else changes
        if not self.redactor.contains_secret(text):
            return content
        return self.redactor.scrub(text).encode(encoding)


def _json_or_none(content: bytes | None) -> Any:
    """The JSON a request body holds, or None (no body, or not JSON: multipart, form)."""
    if not content:
        return None
    try:
        return json.loads(content)
    except ValueError:
        return None
