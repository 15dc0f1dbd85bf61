"""What a run produces, as plain values: unit outcomes, facts coverage, and each vendor's result.

They live below the engine so that reports (and anything else that consumes results) import no engine,
and no schemathesis or Hypothesis with it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from contracts.values.findings import Finding
from contracts.values.model import CheckExclusion


class Status(StrEnum):
    PASS = "pass"  # noqa: S105 - a status, not a password
    FAIL = "fail"
    INCONCLUSIVE = "inconclusive"
    SKIPPED = "skipped"
    ERROR = "error"
    """Our setup is wrong (bad key, missing lead, broken spec): nothing is known about the vendor."""


OBSERVED_ONLY_STATUSES = ("429", "5")
"""Statuses (and status prefixes) we never provoke on purpose: we do not overload or break a vendor."""


class FactKind(StrEnum):
    STATUS = "status"
    FIELD = "field"
    ERROR_BODY = "error body"
    BEHAVIOUR = "behaviour"


@dataclass(frozen=True, order=True)
class Fact:
    kind: FactKind
    operation: str
    """Operation label; empty for behaviours."""
    status: str
    """Documented status key (``"200"``, ``"4XX"``); empty for behaviours."""
    subject: str
    """JSON pointer of a field (``/campaign/id``, ``/items/*/email``), or a behaviour's name."""

    @property
    def id(self) -> str:
        return " ".join(part for part in (str(self.kind), self.operation, self.status, self.subject) if part)

    @property
    def observed_only(self) -> bool:
        return any(status.startswith(OBSERVED_ONLY_STATUSES) for status in self.status.split("|") if status)


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


@dataclass(frozen=True, kw_only=True)
class Coverage:
    """Which documented facts a run checked, and with how many requests."""

    total: int
    """Facts a run must check (observed-only ones excluded)."""
    checked: int
    requests: int
    by_kind: Mapping[str, tuple[int, int]]
    """Fact kind -> (checked, total)."""
    by_level: Mapping[str, tuple[int, int]] = field(default_factory=dict)
    """Evidence level (stated, shown, contested, inferred) -> (checked, total)."""
    unchecked: tuple[str, ...]
    new_facts_by_source: Mapping[str, tuple[int, int]] = field(default_factory=dict)
    """Unit (exchange source) -> (requests it sent, facts it was the first to check), in run order."""
    observed_only: tuple[int, int] = (0, 0)
    """(checked, documented) facts about statuses we never provoke (429, 5xx)."""
    by_operation: Mapping[str, tuple[int, int]] = field(default_factory=dict)
    """Operation label -> (checked, total) of the spec's facts about it (statuses, fields, error bodies)."""

    @property
    def facts_per_request(self) -> float:
        return self.checked / self.requests if self.requests else 0.0

    def as_dict(self) -> dict[str, Any]:
        return {
            "total": self.total,
            "checked": self.checked,
            "requests": self.requests,
            "facts_per_request": round(self.facts_per_request, 2),
            "by_kind": {kind: {"checked": c, "total": t} for kind, (c, t) in self.by_kind.items()},
            "by_level": {level: {"checked": c, "total": t} for level, (c, t) in self.by_level.items()},
            "unchecked": list(self.unchecked),
            "observed_only": {"checked": self.observed_only[0], "total": self.observed_only[1]},
            "by_unit": {
                source: {"requests": requests, "new_facts": new}
                for source, (requests, new) in self.new_facts_by_source.items()
            },
            "by_operation": {
                label: {"checked": checked, "total": total} for label, (checked, total) in self.by_operation.items()
            },
        }


@dataclass(frozen=True, kw_only=True)
class RateLimited:
    """How the vendor's rate limit met a run: the 429s it answered, and the seconds the run waited because of its
    limit (a 429's Retry-After, or the backoff when it gave none, and exhausted windows' X-RateLimit-Reset)."""

    responses: int = 0
    waited_seconds: float = 0.0

    def as_dict(self) -> dict[str, Any]:
        return {"responses": self.responses, "waited_seconds": round(self.waited_seconds, 1)}


@dataclass(frozen=True, kw_only=True)
class Cleanup:
    """What a run's clean-up did with the records it (or an earlier, killed run) created: how many it deleted
    through the vendor's documented delete, and each record it could not delete (``vendor``, ``operation``,
    ``id``, ``reason``), which stays in the clean-up ledger for the next run."""

    deleted: int = 0
    not_cleaned: tuple[Mapping[str, str], ...] = ()

    def as_dict(self) -> dict[str, Any]:
        return {"deleted": self.deleted, "not_cleaned": [dict(record) for record in self.not_cleaned]}


@dataclass(kw_only=True)
class VendorResult:
    vendor: str
    title: str
    target: str
    status: Status
    reason: str | None = None
    findings: list[Finding] = field(default_factory=list)
    outcomes: list[Outcome] = field(default_factory=list)
    requests: int = 0
    operations: dict[str, dict[str, Any]] = field(default_factory=dict)
    created: list[dict[str, str]] = field(default_factory=list)
    duration: float = 0.0
    coverage: Coverage | None = None
    """Documented facts the run's requests checked (none when the run never got going)."""
    excluded_checks: tuple[CheckExclusion, ...] = ()
    """The vendor's schemathesis checks turned off for one operation each, with why: every report shows them."""
    rate_limited: RateLimited = field(default_factory=RateLimited)
    """The 429s the run met and the seconds it waited because of the vendor's rate limit."""
    cleanup: Cleanup = field(default_factory=Cleanup)
    """The records the run deleted at its start (an earlier run's leftovers) and end, and those it could not."""

    @property
    def contract_failures(self) -> list[Finding]:
        return [finding for finding in self.findings if finding.is_contract_failure]
