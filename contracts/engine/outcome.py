"""How faults become results: a finding about the request, a skip, or an inconclusive unit; and the responses
the client retried (429s, 5xx), checked like any other."""

from __future__ import annotations

from collections.abc import Iterable

from contracts.spec.conformance import CheckContext, check_response
from contracts.spec.document import Spec
from contracts.transport.client import Exchange
from contracts.values.errors import BudgetExhausted, ResponseTooLarge, UnsafeRequest, VendorFault, VendorUnhealthy
from contracts.values.findings import Finding, Kind, Location, Severity
from contracts.values.results import Outcome


def finding_for_fault(fault: VendorFault, *, vendor: str, operation: str, source: str) -> Finding:
    """A fault on one documented request (after the guard succeeded) is a finding about that request."""
    if isinstance(fault, ResponseTooLarge):
        return Finding(
            vendor=vendor,
            operation=operation,
            status_code=None,
            kind=Kind.BEHAVIOR_MISMATCH,
            severity=Severity.ERROR,
            path="",
            location=Location.BODY,
            expected=f"a response body under the {fault.limit} byte cap",
            observed=str(fault.message),
            check="response_size",
            source=source,
        )
    return Finding(
        vendor=vendor,
        operation=operation,
        status_code=getattr(fault, "status_code", None),
        kind=Kind.UNREACHABLE,
        severity=Severity.ERROR,
        path="",
        location=Location.STATUS,
        expected="a response within the timeouts and retries",
        observed=str(fault.message),
        check="reachability",
        source=source,
    )


def is_rate_limited(fault: VendorFault) -> bool:
    """Faults that mean "no more requests now" (inconclusive) rather than "this request failed" (a finding)."""
    return isinstance(fault, BudgetExhausted) or (isinstance(fault, VendorUnhealthy) and fault.status_code == 429)


def record_fault(outcome: Outcome, fault: VendorFault | UnsafeRequest, *, vendor: str, operation: str) -> None:
    """Record what stopped ``outcome``'s check: a refused unsafe request skips it, rate limits make it
    inconclusive, any other vendor fault is a finding about the request."""
    if isinstance(fault, UnsafeRequest):
        outcome.skipped = fault.message
    elif is_rate_limited(fault):
        outcome.inconclusive = str(fault)
    else:
        outcome.findings.append(finding_for_fault(fault, vendor=vendor, operation=operation, source=outcome.name))


def check_retried(vendor: str, spec: Spec, exchanges: Iterable[Exchange]) -> list[Finding]:
    """Findings about the responses the client retried or gave up on (``Exchange.retried``), checked before they
    are forgotten: a status the operation documents (every vendor's documented 429) against its documented
    headers and body, as ``check_response`` checks any response. A 429 that the operation does not document is
    drift (a warning: the docs never say the vendor limits requests). A 5xx that the operation does not document
    is no finding here: only the request's final answer is, when the 5xx outlasts the retries."""
    findings: list[Finding] = []
    for exchange in exchanges:
        if not exchange.retried or exchange.operation is None or exchange.status_code is None:
            continue
        operation = spec.operation(exchange.operation)
        if operation.response_for(exchange.status_code) is not None:
            ctx = CheckContext(
                vendor=vendor, spec=spec, operation=operation, source=exchange.source, example=exchange.example()
            )
            findings.extend(check_response(ctx, exchange.response))
        elif exchange.status_code == 429:
            findings.append(
                Finding(
                    vendor=vendor,
                    operation=operation.label,
                    status_code=429,
                    kind=Kind.UNDOCUMENTED_STATUS,
                    severity=Severity.WARNING,
                    path="",
                    location=Location.STATUS,
                    expected=f"one of the documented statuses {', '.join(operation.documented_statuses)}: "
                    "the docs document no rate limiting",
                    observed=f"429 (attempt {exchange.attempt}, retried)",
                    check="rate_limit",
                    source=exchange.source,
                    example=exchange.example(),
                )
            )
    return findings
