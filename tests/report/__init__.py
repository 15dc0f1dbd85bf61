"""Tests of the drift reports, and the fixed synthetic nights they are built from.

``NIGHTS`` are three nights of results for the four vendors plus ``acme``, a made-up fifth vendor so
that one report shows all five statuses (pass, fail, inconclusive, skipped, error). Night three, built
through the two nights before it, is the report the golden files hold: every severity, all three
states, a trend of three points, and values that need escaping in Markdown and HTML.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from contracts.report.history import History, build_report, load_history, save_history
from contracts.report.model import RunReport
from contracts.values.evidence import Confirmation, Evidence, Level
from contracts.values.findings import Finding, Kind, Location, Severity
from contracts.values.model import CheckExclusion
from contracts.values.results import Cleanup, Coverage, Outcome, RateLimited, Status, VendorResult

TITLES = {"nexor": "Nexor", "pollybot": "PollyBot", "dialnexa": "DialNexa", "aura": "Aura", "acme": "Acme"}
NASTY = '<script>alert("x")</script> | `tick` *star* _under_ [link](http://x) & ~tilde~ \\ back'


def finding(
    vendor: str,
    kind: Kind,
    severity: Severity,
    path: str,
    *,
    operation: str = "GET /leads/{id}",
    status_code: int | None = 200,
    expected: str = "as documented",
    observed: str = "something else",
    location: Location = Location.BODY,
    count: int = 1,
    check: str = "conformance",
    evidence: Evidence | None = None,
) -> Finding:
    return Finding(
        vendor=vendor,
        operation=operation,
        status_code=status_code,
        kind=kind,
        severity=severity,
        path=path,
        expected=expected,
        observed=observed,
        check=check,
        location=location,
        count=count,
        source="probe:read_lead",
        evidence=evidence,
    )


# The findings of the three nights, by letter.
A = finding("nexor", Kind.UNDOCUMENTED_FIELD, Severity.WARNING, "/lead/score", observed="42", check="drift_observation")
B = finding("nexor", Kind.NEVER_PRESENT, Severity.INFO, "/title", expected="a value in some responses", observed="null")
C = finding(
    "pollybot",
    Kind.NEVER_PRESENT,
    Severity.INFO,
    "/details",
    operation="GET /api/v1/leads/{leadId}",
    status_code=401,
    observed="absent from all 7 responses",
)
D = finding("aura", Kind.ENUM_MISMATCH, Severity.WARNING, "/data/status", operation="GET /v1/leads/{id}")
E = finding(
    "nexor",
    Kind.TYPE_MISMATCH,
    Severity.ERROR,
    "/lead/phone",
    operation="POST /leads",
    status_code=201,
    expected="string (E.164)",
    observed="5551234",
    evidence=Evidence(Level.STATED, source="seeds/003_d136e3b764ea1e2d.txt", quote="phone: string, E.164"),
)
G = finding(
    "dialnexa",
    Kind.DEPRECATION,
    Severity.WARNING,
    "/sunset",
    location=Location.HEADER,
    expected="no Sunset header",
    observed="Sat, 01 Aug 2026 00:00:00 GMT",
)
H = finding(
    "dialnexa",
    Kind.UNDOCUMENTED_STATUS,
    Severity.WARNING,
    "",
    status_code=409,
    location=Location.STATUS,
    evidence=Evidence(
        Level.CONTESTED,
        source=NASTY,
        quote="409 <when> the campaign is completed",
        confirmed=Confirmation(by="ana & bo", on="2026-11-30"),
    ),
)
I = finding(  # noqa: E741 - the findings are named by letter
    "nexor",
    Kind.BEHAVIOR_MISMATCH,
    Severity.ERROR,
    "/first_name",
    operation="POST /leads",
    status_code=201,
    location=Location.REQUEST,
    expected="`first_name` is required | a 422 <b>without</b> it",
    observed=NASTY,
    check="first_name_required",
)
J = finding(
    "pollybot",
    Kind.UNDOCUMENTED_FIELD,
    Severity.WARNING,
    "/data/0/tags",
    operation="GET /api/v1/leads",
    observed='["vip"]',
    count=3,
)
K = finding(
    "dialnexa",
    Kind.INPUT_NOT_REJECTED,
    Severity.INFO,
    "/phone",
    operation="POST /v1/leads",
    status_code=None,
    location=Location.REQUEST,
    expected="nothing documented",
    observed="accepted an empty phone",
)

EXCLUSION = CheckExclusion(
    operation="GET /leads/{id}",
    check="ignored_auth",
    reason="the docs' <b>public</b> read answers without a key | by design",
)
"""Nexor's excluded check on night three, its reason in need of escaping."""

RATE_LIMITED = RateLimited(responses=4, waited_seconds=7.46)
"""PollyBot's 429s on night three, and the seconds waited for them."""

NOT_CLEANED = Cleanup(
    deleted=2,
    not_cleaned=(
        {
            "vendor": "nexor",
            "operation": "POST /leads",
            "id": "lead_|`x`|",
            "reason": "not cleaned up: the vendor documents no delete <b>yet</b> | *soon*",
        },
    ),
)
"""Nexor's clean-up on night three: two leads deleted, one it documents no delete for (markup in it, shown as text)."""

NIGHT_TIMES = (
    datetime(2026, 1, 5, 2, 0, tzinfo=UTC),
    datetime(2026, 1, 6, 2, 0, tzinfo=UTC),
    datetime(2026, 1, 7, 2, 30, 15, tzinfo=UTC),
)
RUN_IDS = ("night1aaaaaa", "night2bbbbbb", "night3cccccc")


def result(
    vendor: str,
    status: Status,
    findings: Sequence[Finding] = (),
    *,
    reason: str | None = None,
    requests: int = 40,
    skipped: Sequence[tuple[str, str]] = (),
    created: Sequence[dict[str, str]] = (),
    excluded: Sequence[CheckExclusion] = (),
    rate_limited: RateLimited | None = None,
    cleanup: Cleanup | None = None,
) -> VendorResult:
    operations = (
        {
            "GET /leads/{id}": {"requests": requests - 10, "statuses": {"200": requests - 12, "404": 2}},
            "POST /leads": {"requests": 10, "statuses": {"201": 8, "422": 2}},
        }
        if requests
        else {}
    )
    return VendorResult(
        vendor=vendor,
        title=TITLES[vendor],
        target="live",
        status=status,
        reason=reason,
        findings=list(findings),
        outcomes=[Outcome(name=name, skipped=why) for name, why in skipped],
        requests=requests,
        operations=operations,
        created=list(created),
        duration=12.25 if requests else 0.0,
        coverage=coverage(requests) if requests > 1 else None,
        excluded_checks=tuple(excluded),
        rate_limited=rate_limited or RateLimited(),
        cleanup=cleanup or Cleanup(),
    )


def coverage(requests: int) -> Coverage:
    """What a run of ``requests`` requests checked of its documented facts: all but two optional fields."""
    return Coverage(
        total=40,
        checked=38,
        requests=requests,
        by_kind={"status": (6, 6), "field": (20, 22), "error body": (8, 8), "behaviour": (4, 4)},
        by_level={"stated": (30, 31), "shown": (2, 2), "contested": (2, 3), "inferred": (4, 4)},
        unchecked=("field GET /leads/{id} 200 /campaign/name", "field GET /leads/{id} 200 /metadata/<b>x</b>"),
        new_facts_by_source={
            "guard": (1, 20),
            "probe:unknown id": (1, 6),
            "schemathesis:property:POST /leads": (10, 2),
        },
        observed_only=(0, 2),
    )


def night_results(night: int) -> list[VendorResult]:
    """The results of night 1, 2 or 3."""
    if night == 1:
        return [
            result("nexor", Status.PASS, [A, B]),
            result("pollybot", Status.PASS, [C]),
            result("dialnexa", Status.PASS, [G]),
            result("aura", Status.PASS, [D]),
            result("acme", Status.PASS),
        ]
    if night == 2:
        return [
            result("nexor", Status.FAIL, [E, A, B]),
            result("pollybot", Status.PASS, [C]),
            result("dialnexa", Status.PASS, [H]),
            result("aura", Status.PASS, [D]),
            result("acme", Status.PASS),
        ]
    if night == 3:
        return [
            result(
                "nexor",
                Status.FAIL,
                [E, I, A],
                skipped=[("property:PATCH /leads/{id}", "NEXOR_ALLOW_WRITES is not set: write operations skipped")],
                created=[{"operation": "POST /leads", "id": "lead_|`x`|", "marked": "yes"}],
                excluded=[EXCLUSION],
                cleanup=NOT_CLEANED,
            ),
            result(
                "pollybot",
                Status.INCONCLUSIVE,
                [J],
                reason="rate-limited beyond the request budget (429, Retry-After: 3600)",
                requests=17,
                rate_limited=RATE_LIMITED,
            ),
            result("dialnexa", Status.PASS, [K]),
            result("aura", Status.SKIPPED, reason="AURA_API_KEY is not set", requests=0),
            result("acme", Status.ERROR, reason="ACME_API_KEY was rejected (401 <Unauthorized>)", requests=1),
        ]
    raise ValueError(night)


@dataclass(frozen=True)
class Night:
    report: RunReport
    history: History


def run_nights(count: int = 3, history_file: Path | None = None) -> list[Night]:
    """Build the reports of the first ``count`` nights, each against the history the night before left.

    With ``history_file`` the history goes through ``save_history``/``load_history`` between nights.
    """
    history = History()
    nights = []
    for index in range(count):
        if history_file is not None:
            history, _ = load_history(history_file)
        report, history = build_report(
            night_results(index + 1),
            target="live",
            run_id=RUN_IDS[index],
            history=history,
            now=NIGHT_TIMES[index],
            notes=["a note with <em>markup</em> | and a pipe, shown as text"] if index == 2 else [],
        )
        if history_file is not None:
            save_history(history_file, history)
        nights.append(Night(report=report, history=history))
    return nights


def golden_report() -> RunReport:
    """Night three: the report the golden files hold."""
    return run_nights(3)[-1].report
