"""The report of one run: vendor summaries and findings with their history, ready for the writers.

Reports consume results; they never drive a run. ``build_report`` turns the
vendors' results and the history of earlier runs into a ``RunReport``; the
JSON, Markdown and HTML writers render that one value.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from enum import IntEnum, StrEnum
from typing import Any

from contracts.values.findings import Finding, Severity, sort_key
from contracts.values.model import CheckExclusion
from contracts.values.results import Cleanup, RateLimited, Status, VendorResult

REPORT_FORMAT_VERSION = 2
"""The version of ``drift.json``'s layout (its ``format_version`` key). Version 2 added ``format_version``
and ``specs``; a report without the key is version 1. ``contracts report merge`` reads only this version."""


class ExitCode(IntEnum):
    OK = 0
    """Every checked vendor holds its contract (drift may exist)."""
    CONTRACT_FAILURE = 1
    USAGE_ERROR = 2
    """Bad usage or configuration: a missing key, a rejected key, a broken spec."""
    INCONCLUSIVE = 3
    """A vendor was unreachable, or rate-limited beyond its budget."""
    INTERNAL_ERROR = 4
    """A bug in the suite itself (never used for anything a vendor did)."""


class State(StrEnum):
    NEW = "new"
    PERSISTING = "persisting"
    RESOLVED = "resolved"


@dataclass(frozen=True, kw_only=True)
class ReportedFinding:
    """A finding as the report shows it: its stable ``id`` and where it stands in the history."""

    finding: Finding
    state: State
    first_seen: str
    last_seen: str

    @property
    def id(self) -> str:
        return self.finding.fingerprint

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            **self.finding.to_json(),
            "first_seen": self.first_seen,
            "last_seen": self.last_seen,
            "state": str(self.state),
        }


@dataclass(frozen=True, kw_only=True)
class VendorSummary:
    name: str
    title: str
    status: Status
    reason: str | None
    requests: int
    duration: float
    operations: Mapping[str, Mapping[str, Any]]
    created: tuple[Mapping[str, str], ...]
    counts: Mapping[str, int]
    """Open findings by severity, plus ``new`` and ``resolved``."""
    skipped_checks: tuple[tuple[str, str], ...] = ()
    coverage: Mapping[str, Any] | None = None
    """Documented facts the run checked (``Coverage.as_dict()``): total, checked, per request, unchecked."""
    excluded_checks: tuple[CheckExclusion, ...] = ()
    """Schemathesis checks the vendor's data turns off for one operation, with the reason."""
    rate_limited: RateLimited = field(default_factory=RateLimited)
    """The 429s the run met and the seconds it waited because of the vendor's rate limit."""
    cleanup: Cleanup = field(default_factory=Cleanup)
    """The records the run deleted, and those it could not (vendor, operation, id, reason)."""


@dataclass(frozen=True, kw_only=True)
class TrendPoint:
    generated_at: str
    counts: Mapping[str, Mapping[str, int]]
    """vendor -> severity -> open findings."""
    statuses: Mapping[str, str] = field(default_factory=dict)
    """vendor -> its status that run: the counts of a vendor skipped or in error are no zeros."""

    def coverage(self, vendor: str) -> str:
        """``complete``, ``partial`` (inconclusive: the counts are a lower bound) or ``none`` (not checked)."""
        if vendor not in self.counts:
            return "none"
        status = self.statuses.get(vendor)  # older histories did not record statuses
        if status in (Status.SKIPPED, Status.ERROR):
            return "none"
        return "partial" if status == Status.INCONCLUSIVE else "complete"


@dataclass(frozen=True, kw_only=True)
class RunReport:
    generated_at: str
    target: str
    run_id: str
    vendors: tuple[VendorSummary, ...]
    findings: tuple[ReportedFinding, ...]
    trend: tuple[TrendPoint, ...] = ()
    notes: tuple[str, ...] = field(default_factory=tuple)
    specs: Mapping[str, Mapping[str, str | None]] = field(default_factory=dict)
    """vendor -> ``{"version": the spec's info.version, "sha256": of its file}``: the specs the run checked
    against (every vendor of the suite, run or not), so that reports from different specs are never merged."""

    @property
    def exit_code(self) -> ExitCode:
        statuses = {vendor.status for vendor in self.vendors}
        if Status.ERROR in statuses or (statuses and statuses <= {Status.SKIPPED}):
            return ExitCode.USAGE_ERROR
        if Status.FAIL in statuses:
            return ExitCode.CONTRACT_FAILURE
        if Status.INCONCLUSIVE in statuses:
            return ExitCode.INCONCLUSIVE
        return ExitCode.OK

    @property
    def verdict(self) -> str:
        return {
            ExitCode.OK: "pass",
            ExitCode.CONTRACT_FAILURE: "fail",
            ExitCode.USAGE_ERROR: "error",
            ExitCode.INCONCLUSIVE: "inconclusive",
        }[self.exit_code]

    def open_findings(self) -> list[ReportedFinding]:
        return [item for item in self.findings if item.state is not State.RESOLVED]

    def by_state(self, state: State) -> list[ReportedFinding]:
        return [item for item in self.findings if item.state is state]

    def as_dict(self) -> dict[str, Any]:
        return {
            "format_version": REPORT_FORMAT_VERSION,
            "generated_at": self.generated_at,
            "target": self.target,
            "run_id": self.run_id,
            "verdict": self.verdict,
            "exit_code": int(self.exit_code),
            "vendors": {
                vendor.name: {
                    "title": vendor.title,
                    "status": str(vendor.status),
                    "reason": vendor.reason,
                    "requests": vendor.requests,
                    "duration_seconds": round(vendor.duration, 2),
                    "operations": {label: dict(stats) for label, stats in vendor.operations.items()},
                    "created": [dict(record) for record in vendor.created],
                    "counts": dict(vendor.counts),
                    "skipped_checks": [{"check": name, "reason": reason} for name, reason in vendor.skipped_checks],
                    "excluded_checks": [
                        {"operation": item.operation, "check": item.check, "reason": item.reason}
                        for item in vendor.excluded_checks
                    ],
                    "facts": dict(vendor.coverage) if vendor.coverage is not None else None,
                    "rate_limited": vendor.rate_limited.as_dict(),
                    "cleanup": vendor.cleanup.as_dict(),
                }
                for vendor in self.vendors
            },
            "findings": [item.as_dict() for item in self.findings],
            "trend": [asdict(point) for point in self.trend],
            "notes": list(self.notes),
            "specs": {vendor: dict(spec) for vendor, spec in self.specs.items()},
        }


def severity_counts(findings: Iterable[Finding]) -> dict[str, int]:
    counts = Counter(str(finding.severity) for finding in findings)
    return {str(severity): counts.get(str(severity), 0) for severity in Severity}


def ordered(findings: Iterable[ReportedFinding]) -> list[ReportedFinding]:
    """Errors first, then by vendor, operation, kind and path."""
    return sorted(findings, key=lambda item: sort_key(item.finding))


def summarize(result: VendorResult, *, open_findings: list[Finding], new: int, resolved: int) -> VendorSummary:
    counts = severity_counts(open_findings) | {"new": new, "resolved": resolved}
    skipped = tuple((outcome.name, outcome.skipped) for outcome in result.outcomes if outcome.skipped)
    return VendorSummary(
        name=result.vendor,
        title=result.title,
        status=result.status,
        reason=result.reason,
        requests=result.requests,
        duration=result.duration,
        operations=result.operations,
        created=tuple(result.created),
        counts=counts,
        skipped_checks=skipped,
        coverage=result.coverage.as_dict() if result.coverage is not None else None,
        excluded_checks=tuple(result.excluded_checks),
        rate_limited=result.rate_limited,
        cleanup=result.cleanup,
    )
