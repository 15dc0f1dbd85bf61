"""DialNexa's issue-10 facts, each broken in the fake, named by the layers that can see it.

The explicit layer (the probe or scenario that checks the documented behaviour) names every breakage. The property
layer (schemathesis on the operation) names those its schema can express: a status or a field of a response the
generated requests reach. It cannot name a state rule (its PATCH writes to a pending lead it created), a count or a
message text (the schema does not constrain them), nor anything of a campaign upload's 201 (a generated file is
never a CSV with a phone_number column). "Delete leaves the lead readable" is schemathesis's use_after_free in the
stateful run; with the engine's default link inference its steps all go to the upload (see the issue-10 report),
so only the scenario names it here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from contracts.engine.context import load_spec, open_run
from contracts.engine.probes import run_guard
from contracts.engine.runner import plan_units, run_unit
from contracts.fakes._core import AcceptAnyKey, Defect, DropField, Quirk, ReplaceStatus, SetValue
from contracts.transport.targets import fake_target
from contracts.values.findings import Finding, Kind, Location, Severity
from contracts.vendors import get_vendor

DIALNEXA = get_vendor("dialnexa")
CREATE = "POST /campaigns-leads"
READ = "GET /campaigns-leads/{id}"
UPDATE = "PATCH /campaigns-leads/{id}"
DELETE = "DELETE /campaigns-leads/{id}"
UPLOAD = "POST /campaigns-leads/upload-file/{campaignId}"
WF_LIST = "GET /workflows/{workflowId}/leads"
WF_UPLOAD = "POST /workflows/{workflowId}/leads"
WF_DELETE = "DELETE /workflows/{workflowId}/leads/{id}"

LIFECYCLE = "scenario:campaign lead lifecycle"
WF_LIFECYCLE = "scenario:workflow lead lifecycle"


@dataclass(frozen=True)
class Named:
    """A finding that must be there: its kind, operation, status, JSON pointer (or status/header) and severity."""

    kind: Kind
    operation: str
    status: int
    path: str
    severity: Severity

    def matches(self, finding: Finding) -> bool:
        return (finding.kind, finding.operation, finding.status_code, finding.path, finding.severity) == (
            self.kind,
            self.operation,
            self.status,
            self.path,
            self.severity,
        )


@dataclass(frozen=True)
class Breakage:
    name: str
    defect: Defect
    named: Named
    explicit: str
    """The probe or scenario unit that names it."""
    properties: tuple[str, ...] = ()
    """The property units that name it too (none where the schema cannot express the fact)."""


ERROR, WARNING = Severity.ERROR, Severity.WARNING
BREAKAGES = [
    Breakage(
        "update allowed once a call has started",
        Quirk(name="update_after_call_started"),
        Named(Kind.BEHAVIOR_MISMATCH, UPDATE, 200, "", ERROR),
        "scenario:a lead whose call has started cannot be updated",
    ),
    Breakage(
        "a removed lead stays readable",
        Quirk(name="delete_keeps_lead"),
        Named(Kind.BEHAVIOR_MISMATCH, READ, 200, "", ERROR),
        LIFECYCLE,
    ),
    Breakage(
        "a lead of a completed campaign is removed",
        Quirk(name="delete_completed_campaign"),
        Named(Kind.BEHAVIOR_MISMATCH, DELETE, 200, "", ERROR),
        "scenario:a lead of a completed campaign cannot be removed",
    ),
    Breakage(
        "notes merged instead of replaced",
        Quirk(name="update_merges_notes"),
        Named(Kind.BEHAVIOR_MISMATCH, READ, 200, "/notes/product", WARNING),  # contested: notes vs metadata
        "scenario:notes are replaced by an update",
    ),
    Breakage(
        "upload counts off by one",
        Quirk(name="upload_counts_off_by_one"),
        Named(Kind.BEHAVIOR_MISMATCH, UPLOAD, 201, "/leads_created", WARNING),  # contested: skipped or 400
        "scenario:an upload counts created and skipped rows",
    ),
    Breakage(
        "upload answer without leads_skipped",
        DropField(operation=UPLOAD, status=201, pointer="/leads_skipped"),
        Named(Kind.MISSING_FIELD, UPLOAD, 201, "/leads_skipped", ERROR),
        "scenario:an upload counts created and skipped rows",
    ),
    Breakage(
        "create answers 200, not 201",
        ReplaceStatus(operation=CREATE, status=201, new_status=200),
        Named(Kind.UNDOCUMENTED_STATUS, CREATE, 200, "", WARNING),  # 201 is the errors page's: inferred
        LIFECYCLE,
        (f"property:{CREATE}",),
    ),
    Breakage(
        "created phone number not in E.164",
        SetValue(operation=CREATE, status=201, pointer="/phone_number", value="5550100"),
        Named(Kind.FORMAT_MISMATCH, CREATE, 201, "/phone_number", ERROR),
        LIFECYCLE,
        (f"property:{CREATE}",),
    ),
    Breakage(
        "delete message text",
        SetValue(operation=DELETE, status=200, pointer="/message", value="Deleted."),
        Named(Kind.BEHAVIOR_MISMATCH, DELETE, 200, "/message", ERROR),
        LIFECYCLE,
    ),
    Breakage(
        "workflow upload answers 200, not 201",
        ReplaceStatus(operation=WF_UPLOAD, status=201, new_status=200),
        Named(Kind.UNDOCUMENTED_STATUS, WF_UPLOAD, 200, "", ERROR),  # shown by the published OpenAPI
        WF_LIFECYCLE,
        (f"property:{WF_UPLOAD}",),
    ),
    Breakage(
        "a removed workflow lead is still there",
        Quirk(name="workflow_delete_keeps_lead"),
        Named(Kind.BEHAVIOR_MISMATCH, WF_DELETE, 200, "", ERROR),
        WF_LIFECYCLE,
    ),
    Breakage(
        "workflow lead 404 message text",
        SetValue(operation=WF_DELETE, status=404, pointer="/message", value="Not here"),
        Named(Kind.BEHAVIOR_MISMATCH, WF_DELETE, 404, "/message", ERROR),
        WF_LIFECYCLE,
    ),
    Breakage(
        "workflow list without count",
        DropField(operation=WF_LIST, status=200, pointer="/count"),
        Named(Kind.MISSING_FIELD, WF_LIST, 200, "/count", WARNING),  # contested by the Mintlify list page
        "scenario:the workflow list shows an uploaded lead until it is removed",
        (f"property:{WF_LIST}",),
    ),
    Breakage(
        "workflow leads served without a key",
        AcceptAnyKey(),
        Named(Kind.BEHAVIOR_MISMATCH, WF_LIST, 404, "", ERROR),  # the probe's unknown workflow: 404, not 401
        "probe:workflow leads missing key",
    ),
]


def _run(defect: Defect, unit_id: str) -> list[Finding]:
    spec = load_spec(DIALNEXA)
    target = fake_target(DIALNEXA.fake(defects=[defect]), base_url=spec.server_url).with_limits(max_examples=3)
    ctx = open_run(DIALNEXA, target, spec=spec)
    try:
        run_guard(ctx)
        unit = next(unit for unit in plan_units(DIALNEXA, spec) if unit.id == unit_id)
        outcome = run_unit(ctx, unit)
        assert outcome.skipped is None, outcome.skipped
        return outcome.findings
    finally:
        ctx.close()


def _assert_named(findings: list[Finding], named: Named) -> None:
    assert any(named.matches(finding) for finding in findings), [finding.headline() for finding in findings]
    finding = next(finding for finding in findings if named.matches(finding))
    assert finding.evidence is not None, finding.headline()
    assert finding.evidence.quote
    assert finding.expected
    assert finding.observed


@pytest.mark.parametrize("breakage", BREAKAGES, ids=lambda breakage: breakage.name)
def test_the_explicit_layer_names_the_broken_fact(breakage: Breakage) -> None:
    _assert_named(_run(breakage.defect, breakage.explicit), breakage.named)


PROPERTY_CASES = [
    pytest.param(breakage, unit, id=f"{breakage.name}-{unit}") for breakage in BREAKAGES for unit in breakage.properties
]


@pytest.mark.parametrize(("breakage", "unit"), PROPERTY_CASES)
def test_the_property_layer_names_the_broken_fact(breakage: Breakage, unit: str) -> None:
    _assert_named(_run(breakage.defect, unit), breakage.named)


def test_auth_not_enforced_on_a_write_is_named_by_the_property_layer() -> None:
    findings = _run(AcceptAnyKey(), f"property:{DELETE}")
    assert any(
        finding.kind is Kind.AUTH_NOT_ENFORCED and finding.location is Location.STATUS and finding.severity is ERROR
        for finding in findings
    ), [finding.headline() for finding in findings]


def test_every_unit_of_the_unbroken_fake_runs_and_passes() -> None:
    spec = load_spec(DIALNEXA)
    target = fake_target(DIALNEXA.fake(), base_url=spec.server_url).with_limits(max_examples=3)
    ctx = open_run(DIALNEXA, target, spec=spec)
    try:
        run_guard(ctx)
        outcomes = {unit.id: run_unit(ctx, unit) for unit in plan_units(DIALNEXA, spec) if unit.kind != "property"}
    finally:
        ctx.close()
    assert {name: outcome.skipped for name, outcome in outcomes.items() if outcome.skipped} == {}
    failures: list[Any] = [f.headline() for o in outcomes.values() for f in o.findings if f.is_contract_failure]
    assert failures == []
    assert {name for name, outcome in outcomes.items() if outcome.notes and name.startswith("scenario:")} == set()


def test_an_unknown_campaign_configured_is_findings_naming_the_refusal_and_leaves_nothing_behind():
    """A DIALNEXA_CAMPAIGN_ID that names no campaign: the run ends with findings on the writes the vendor refused,
    never a traceback, and creates nothing (issue 10's "Bad input")."""
    import copy
    import dataclasses

    from contracts.engine.runner import run_vendor
    from contracts.values.results import Status

    vendor = get_vendor("dialnexa")
    spec = load_spec(vendor)
    fake: Any = vendor.fake()
    target = fake_target(fake, base_url=spec.server_url).with_limits(max_examples=2, stateful_examples=2)
    target = dataclasses.replace(target, variables={**target.variables, "campaign_id": "cmp_never_made"})
    before = copy.deepcopy(fake.leads)
    result = run_vendor(vendor, target, spec=spec)
    assert result.status is Status.FAIL
    refused = [f for f in result.findings if f.operation == "POST /campaigns-leads" and f.status_code == 404]
    assert refused, [f.headline() for f in result.findings][:5]
    assert result.created == [] or all(record["operation"] != "POST /campaigns-leads" for record in result.created)
    if before is not None:
        assert {key for key in fake.leads if key not in before} <= {record["id"] for record in result.created}, (
            "nothing but what the run lists"
        )
