"""How faults become results: a finding about the request, a skip, or an inconclusive unit."""

from __future__ import annotations

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
