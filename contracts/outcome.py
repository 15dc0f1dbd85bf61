"""The result of one unit of checking (a probe, a scenario, a property run), and how faults become results."""

from __future__ import annotations

from dataclasses import dataclass, field

from contracts.errors import BudgetExhausted, ResponseTooLarge, UnsafeRequest, VendorFault, VendorUnhealthy
from contracts.findings import Finding, Kind, Location, Severity


@dataclass(kw_only=True)
class Outcome:
    """What one check produced. ``skipped`` and ``inconclusive`` carry the reason when set."""

    name: str
    findings: list[Finding] = field(default_factory=list)
    skipped: str | None = None
    inconclusive: str | None = None
    cases: int = 0
    notes: list[str] = field(default_factory=list)

    @property
    def contract_failures(self) -> list[Finding]:
        return [finding for finding in self.findings if finding.is_contract_failure]


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
