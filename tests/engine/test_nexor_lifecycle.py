"""Nexor's issue-10 operations under contract: break one new fact at a time in the fake and show it is named.

Each broken response fact is named twice: by the explicit layer (a probe or a scenario of Nexor's data) and by
the property layer (schemathesis: the property unit of the operation, which writes to a lead it created first).
The documented behaviours (partial updates, the shallow metadata merge, campaign_id null, the full set of tags,
lead_id winning, ``changed``) are visible only to the scenarios: a schemathesis case knows the schema of one
response, not what an earlier request sent, so the property layer is shown to pass a fake that breaks them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from contracts.engine.context import load_spec, open_run
from contracts.engine.probes import run_guard
from contracts.engine.runner import plan_units, run_unit
from contracts.fakes._core import Defect, DropField, Quirk, ReplaceBody, ReplaceStatus, SetValue
from contracts.transport.targets import fake_target
from contracts.values.findings import Finding, Kind, Location, Severity
from contracts.values.model import OWNED, Capability
from contracts.vendors import get_vendor

NEXOR = get_vendor("nexor")
SPEC = load_spec(NEXOR)
CREATE = "POST /leads"
PUT = "PUT /leads/{id}"
PATCH = "PATCH /leads/{id}"
TAGS = "PUT /leads/tags"
STATUS = "POST /leads/{id}/status"


def run(defect: Defect, unit_id: str) -> list[Finding]:
    # A short stateful run still reaches the updates through the links (create -> PATCH/PUT -> read).
    limits = {"max_examples": 3, "stateful_examples": 10, "stateful_steps": 4}
    target = fake_target(NEXOR.fake(defects=[defect]), base_url=SPEC.server_url).with_limits(**limits)
    ctx = open_run(NEXOR, target, spec=SPEC)
    try:
        run_guard(ctx)
        unit = next(unit for unit in plan_units(NEXOR, SPEC) if unit.id == unit_id)
        outcome = run_unit(ctx, unit)
        assert outcome.skipped is None, outcome.skipped
        return outcome.findings
    finally:
        ctx.close()


@dataclass(frozen=True)
class Breakage:
    """One new documented fact broken in the fake, the finding that must name it, and the units that must."""

    name: str
    defect: Defect
    operation: str
    kind: Kind
    status: int
    path: str
    severity: Severity
    explicit: str
    property: str


BREAKAGES = [
    Breakage(
        "PATCH 200 drops success",
        DropField(operation=PATCH, status=200, pointer="/success"),
        PATCH,
        Kind.MISSING_FIELD,
        200,
        "/success",
        Severity.ERROR,  # shown: "200: {success:true, lead{...}}"
        "scenario:PATCH changes only the fields sent",
        f"property:{PATCH}",
    ),
    Breakage(
        "PUT 200 first_name of the wrong type",
        SetValue(operation=PUT, status=200, pointer="/lead/first_name", value=12345),
        PUT,
        Kind.TYPE_MISMATCH,
        200,
        "/lead/first_name",
        Severity.ERROR,
        "scenario:PUT is the same partial update as PATCH",
        f"property:{PUT}",
    ),
    Breakage(
        "PATCH 200 campaign_id not a uuid",
        SetValue(operation=PATCH, status=200, pointer="/lead/campaign_id", value="lead_1ed7d637"),
        PATCH,
        Kind.FORMAT_MISMATCH,
        200,
        "/lead/campaign_id",
        Severity.WARNING,  # contested: campaign_id on the PATCH page against Get Lead's campaign object
        "scenario:PATCH changes only the fields sent",
        f"property:{PATCH}",
    ),
    Breakage(
        "tags 200 drops added",
        DropField(operation=TAGS, status=200, pointer="/added"),
        TAGS,
        Kind.MISSING_FIELD,
        200,
        "/added",
        Severity.ERROR,  # shown: "200: {success, lead_id, tags[{id,name,slug}], added[ids], removed[ids]}"
        "scenario:tags are the full set",
        f"property:{TAGS}",
    ),
    Breakage(
        "tags 200 lead_id not a uuid",
        SetValue(operation=TAGS, status=200, pointer="/lead_id", value="lead_1ed7d637"),
        TAGS,
        Kind.FORMAT_MISMATCH,
        200,
        "/lead_id",
        Severity.ERROR,
        "scenario:tags by email reach the lead with that address",
        f"property:{TAGS}",
    ),
    Breakage(
        "status 400 body",
        ReplaceBody(operation=STATUS, status=400, body={"unexpected": "shape"}),
        STATUS,
        Kind.ERROR_BODY_MISMATCH,
        400,
        "/error",
        Severity.WARNING,  # the set-status page lists no error: the 400 and its body are inferred
        "scenario:an unknown status_key is refused",
        f"property:{STATUS}",
    ),
    Breakage(
        "status 400 answered 418",
        ReplaceStatus(operation=STATUS, status=400, new_status=418),
        STATUS,
        Kind.UNDOCUMENTED_STATUS,
        418,
        "",
        Severity.WARNING,  # the page lists no error: which statuses the operation answers is inferred
        "scenario:an unknown status_key is refused",
        f"property:{STATUS}",
    ),
]


def _named(findings: list[Finding], breakage: Breakage) -> Finding | None:
    for finding in findings:
        if (
            finding.kind is breakage.kind
            and finding.operation == breakage.operation
            and finding.status_code == breakage.status
            and finding.path == breakage.path
        ):
            assert finding.evidence is not None, finding.headline()
            assert finding.evidence.quote
            return finding
    return None


@pytest.mark.parametrize("breakage", BREAKAGES, ids=lambda b: b.name)
@pytest.mark.parametrize("layer", ["explicit", "property"])
def test_both_layers_name_the_broken_fact(breakage, layer):
    findings = run(breakage.defect, getattr(breakage, layer))
    named = _named(findings, breakage)
    assert named is not None, [f.headline() for f in findings]
    assert named.severity is breakage.severity, named.headline()


# -- answers only the explicit layer reaches ----------------------------------------------------------------
# A property unit of an update or a status change writes only to the record it created first (an OWNED path
# parameter), so it never meets a 404; and it never sets a status, which needs a lead in a workflow (outreach).
# These facts are named by the probes and scenarios; the property layer cannot see them.

EXPLICIT_ONLY = [
    Breakage(
        "PATCH 404 body",
        ReplaceBody(operation=PATCH, status=404, body={"unexpected": "shape"}),
        PATCH,
        Kind.ERROR_BODY_MISMATCH,
        404,
        "/error",
        Severity.WARNING,  # the status is stated by the PATCH page, its body inferred from Get Lead's
        "probe:PATCH unknown id",
        f"property:{PATCH}",
    ),
    Breakage(
        "PUT 404 answered 418",
        ReplaceStatus(operation=PUT, status=404, new_status=418),
        PUT,
        Kind.UNDOCUMENTED_STATUS,
        418,
        "",
        Severity.ERROR,  # the update pages list their responses: another status breaks them
        "probe:PUT unknown id",
        f"property:{PUT}",
    ),
    Breakage(
        "status 404 answered 418",
        ReplaceStatus(operation=STATUS, status=404, new_status=418),
        STATUS,
        Kind.UNDOCUMENTED_STATUS,
        418,
        "",
        Severity.WARNING,
        "probe:status unknown id",
        f"property:{STATUS}",
    ),
    Breakage(
        "tags 404 body",
        ReplaceBody(operation=TAGS, status=404, body={"unexpected": "shape"}),
        TAGS,
        Kind.ERROR_BODY_MISMATCH,
        404,
        "/error",
        Severity.WARNING,
        "scenario:tags of an unknown lead are refused",
        f"property:{TAGS}",
    ),
    Breakage(
        "status 200 changed not a boolean",
        SetValue(operation=STATUS, status=200, pointer="/changed", value="yes"),
        STATUS,
        Kind.TYPE_MISMATCH,
        200,
        "/changed",
        Severity.ERROR,  # shown by the set-status page's 200
        "scenario:setting a status says whether it changed",
        f"property:{STATUS}",
    ),
]


@pytest.mark.parametrize("breakage", EXPLICIT_ONLY, ids=lambda b: b.name)
def test_the_explicit_layer_names_an_answer_the_property_run_never_gets(breakage):
    named = _named(run(breakage.defect, breakage.explicit), breakage)
    assert named is not None
    assert named.severity is breakage.severity, named.headline()


# -- documented behaviours: only the scenarios can name them -------------------------------------------------


@dataclass(frozen=True)
class Behaviour:
    quirk: str
    scenario: str
    operation: str
    path: str
    severity: Severity
    status: int = 200

    @property
    def named(self) -> tuple[str, int, str]:
        return (self.operation, self.status, self.path)


BEHAVIOURS = [
    # stated: "metadata: object; shallow-merged with existing keys"
    Behaviour("metadata_replaced", "an update shallow-merges metadata", PATCH, "/lead/metadata", Severity.ERROR),
    # stated: "Documented as identical partial updates"
    Behaviour("put_replaces", "PUT is the same partial update as PATCH", PUT, "/lead/last_name", Severity.ERROR),
    # contested: the update answers campaign_id where Get Lead has a campaign object
    Behaviour(
        "campaign_null_ignored", "campaign_id null removes the campaign", PATCH, "/lead/campaign_id", Severity.WARNING
    ),
    # stated: "this is the full set, and [] clears all tags"
    Behaviour("tags_appended", "tags are the full set", TAGS, "/tags/1", Severity.ERROR),
    # stated: "lead_id wins if both are sent"
    Behaviour("email_wins", "tags: lead_id wins over email", TAGS, "/lead_id", Severity.ERROR),
    # stated: "changed:false means the lead was already in that status"
    Behaviour("status_always_changed", "setting a status says whether it changed", STATUS, "/changed", Severity.ERROR),
]


@pytest.mark.parametrize("behaviour", BEHAVIOURS, ids=lambda b: b.quirk)
def test_the_scenario_names_the_broken_behaviour(behaviour):
    findings = run(Quirk(name=behaviour.quirk), f"scenario:{behaviour.scenario}")
    broken = [f for f in findings if f.kind is Kind.BEHAVIOR_MISMATCH]
    named = [f for f in broken if (f.operation, f.status_code, f.path) == behaviour.named]
    assert named, [f.headline() for f in findings]
    # Every mismatch the broken behaviour causes is graded by the scenario's evidence, and quotes it.
    assert {f.severity for f in broken} == {behaviour.severity}
    for finding in broken:
        assert finding.evidence is not None
        assert finding.evidence.quote
    assert named[0].location is (Location.BODY if behaviour.status == 200 else Location.STATUS)
    # Nothing about the responses' schemas: the answers are well-formed, only what they say is wrong.
    assert [f.headline() for f in findings if f.kind is not Kind.BEHAVIOR_MISMATCH] == []


def test_the_property_layer_cannot_see_a_broken_merge():
    """A replace instead of a merge answers a schema-valid lead: the schemathesis run of PATCH (on a lead of its
    own, 200s) passes, which is why the merge is a scenario."""
    defect = Quirk(name="metadata_replaced")
    assert [f.headline() for f in run(defect, f"property:{PATCH}") if f.severity is Severity.ERROR] == []


# -- the live-safety data of the new operations ---------------------------------------------------------------


def test_every_path_parameter_of_every_write_is_bound():
    for operation in SPEC.operations:
        if operation.is_write:
            bound = NEXOR.path_bindings.get(operation.label, {})
            assert set(operation.path_parameters) <= set(bound), operation.label
    assert NEXOR.path_bindings[PATCH] == NEXOR.path_bindings[PUT] == NEXOR.path_bindings[STATUS] == {"id": OWNED}
    assert NEXOR.body_bindings[TAGS] == {"lead_id": OWNED, "email": OWNED}


def test_outreach_is_declared_for_what_can_contact_a_person():
    assert NEXOR.needs_of(STATUS, is_write=True) == {Capability.WRITES, Capability.OUTREACH}
    for label in (PUT, PATCH):
        assert "campaign_id" in NEXOR.outreach_fields[label]
        assert NEXOR.needs_of(label, is_write=True) == {Capability.WRITES}
    for scenario in NEXOR.scenarios:
        sends = {step.operation for step in scenario.steps}
        sends_outreach = any(
            isinstance(step.body, dict) and set(step.body) & set(NEXOR.outreach_fields.get(step.operation, ()))
            for step in scenario.steps
        )
        if STATUS in sends or sends_outreach:
            assert Capability.OUTREACH in scenario.needs, scenario.name


def test_no_delete_is_documented_so_nothing_is_cleaned_up():
    assert NEXOR.cleanup == {}
    assert not [op for op in SPEC.operations if op.method == "DELETE"]
    creating = {op.label for op in SPEC.operations if op.label == CREATE}
    assert set(NEXOR.created_id_pointers) == creating


def test_client_code_only_operations_are_discrepancies_not_operations():
    labels = {op.label for op in SPEC.operations}
    for label in ("POST /leads/tags", "DELETE /leads/{id}", "POST /leads/{id}/automation/resume"):
        assert label not in labels
    readings = " ".join(entry["reading"] for entry in SPEC.raw["info"]["x-doc-discrepancy"])
    for words in ("DELETE /leads/{id}", "POST /leads/{id}/automation/resume", "POST /api/public/conversions"):
        assert words in readings
    tags = SPEC.resolve_pointer(SPEC.operation(TAGS).pointer)["x-doc-discrepancy"]
    assert any("POST /leads/tags" in entry["reading"] for entry in tags)


def test_no_scenario_writes_to_the_known_lead():
    def holds_known(value: Any) -> bool:
        return "{known_lead_id}" in str(value)

    for scenario in NEXOR.scenarios:
        for step in scenario.steps:
            if step.operation != "GET /leads/{id}":
                assert not holds_known(step.path_params), scenario.name
                assert not holds_known(step.body), scenario.name
