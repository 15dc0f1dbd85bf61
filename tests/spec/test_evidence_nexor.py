"""Nexor's facts say how its docs back them, and a deviation is graded by that evidence.

The levels follow the pages' own words: Get Lead (seeds/000) and Create Lead (seeds/003) are the contract;
the authentication and PATCH pages (research-notes §1) fill what they leave open. Breaking a fact in the fake
shows the grading: a stated or shown fact gives a contract failure, a contested or inferred one a warning that
quotes its doc line.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from contracts.engine.context import load_spec, open_run
from contracts.engine.facts import documented_facts, fact_evidence
from contracts.engine.grading import evidence_index
from contracts.engine.probes import run_guard
from contracts.engine.runner import plan_units, run_unit
from contracts.fakes._core import Defect, Quirk, ReplaceBody, ReplaceStatus, SetValue
from contracts.fakes.nexor import NexorFake
from contracts.spec.evidence import EVIDENCE_KEY
from contracts.transport.targets import fake_target
from contracts.values.errors import ConfigError
from contracts.values.evidence import Evidence, Level
from contracts.values.findings import Finding, Kind, Location, Severity
from contracts.vendors import get_vendor

NEXOR = get_vendor("nexor")
SPEC = load_spec(NEXOR)
READ = "GET /leads/{id}"
CREATE = "POST /leads"
VENDOR_DOCS = Path(__file__).resolve().parents[2].parent / "shared" / "vendor-docs"


@functools.cache
def evidence_by_fact() -> dict[str, Evidence | None]:
    found = fact_evidence(NEXOR, SPEC, documented_facts(NEXOR, SPEC))
    return {fact.id: evidence for fact, evidence in found.items()}


def evidence_of(fact_id: str) -> Evidence:
    evidence = evidence_by_fact()[fact_id]
    assert evidence is not None, fact_id
    return evidence


# -- the levels the issue names -------------------------------------------------------------------

LEVELS = [
    # The phone row ("required if assigning to a workflow with call steps") could as well mean a 400.
    ("behaviour scenario:a workflow that cannot be assigned gives a warning", Level.CONTESTED, "required if assigning"),
    # seeds/003 line 49, the create page's own prose.
    ("behaviour scenario:unknown top-level keys are mapped into metadata", Level.STATED, "not core lead columns"),
    ("behaviour scenario:explicit metadata wins over top-level keys", Level.STATED, "taking precedence"),
    ("behaviour scenario:a missing first_name is rejected", Level.STATED, "first_name … string … required"),
    ("behaviour scenario:force_first_message without workflow_id is rejected", Level.STATED, "Requires workflow_id"),
    ("behaviour scenario:an assignable workflow gives a workflow_run", Level.SHOWN, '"workflow_run"'),
    # Reading the lead back rests on Get Lead's 200 body, which the newer Get Lead page wraps in an envelope.
    ("behaviour scenario:create then read returns what was sent", Level.CONTESTED, "lead:{"),
    # Get Lead lists no 400: Nexor's validation 400 is the PATCH page's.
    ("status GET /leads/{id} 400", Level.INFERRED, "400 validation"),
    ("behaviour probe:malformed id", Level.INFERRED, "400 validation"),
    ("error body GET /leads/{id} 400 /message", Level.INFERRED, '"message"'),
    # Get Lead's own statuses and its 404 example.
    ("status GET /leads/{id} 200", Level.STATED, "200 — Lead retrieved successfully"),
    ("status GET /leads/{id} 404", Level.STATED, "404 — Lead not found"),
    ("status GET /leads/{id} 401", Level.STATED, "401 — Authentication error"),
    ("error body GET /leads/{id} 404 /error", Level.SHOWN, '{ "error": "Lead not found" }'),
    ("error body GET /leads/{id} 401 /error", Level.INFERRED, "Missing API key"),
    # The 200 body: a bare lead on the primary page, {success, lead, variables} on the newer one.
    ("field GET /leads/{id} 200 /id", Level.STATED, "Response Fields"),
    ("field GET /leads/{id} 200 /campaign/id", Level.STATED, "Response Fields"),
    ("field GET /leads/{id} 200 /activeWorkflowRun", Level.CONTESTED, "active_workflow_run"),
    ("field GET /leads/{id} 200 /currentStatus/color", Level.CONTESTED, "no color"),
    ("field GET /leads/{id} 200 /assigned_user/avatar_url", Level.INFERRED, '"avatar_url": null'),
    ("field GET /leads/{id} 200 /email", Level.STATED, "Response Fields"),
    # The create page states its success response but gives no status code (rule 4 accepts 200 and 201), and
    # lists no other response: which statuses it answers at all is inferred.
    ("status POST /leads 200|201", Level.STATED, "Lead(s) created successfully"),
    ("status POST /leads 400", Level.INFERRED, "400 validation"),
    ("status POST /leads 401", Level.STATED, "X-API-Key"),
    # Its response fields: listed (stated), or only in its example (shown).
    ("field POST /leads 200|201 /lead", Level.STATED, "lead … object … required"),
    ("field POST /leads 200|201 /warning", Level.STATED, "workflow assignment failed"),
    ("field POST /leads 200|201 /success", Level.SHOWN, "Example … true"),
    ("field POST /leads 200|201 /lead/first_name", Level.SHOWN, '"first_name": "John"'),
    ("field POST /leads 200|201 /lead/metadata", Level.SHOWN, '"metadata": {}'),
    ("field POST /leads 200|201 /workflow_run/id", Level.SHOWN, '"id": "uuid"'),
    # The create example shows company and title only as null: their string type is Get Lead's.
    ("field POST /leads 200|201 /lead/company", Level.INFERRED, "companystring | null"),
    ("field POST /leads 200|201 /lead/title", Level.INFERRED, "titlestring | null"),
    # That the created lead reads back is Get Lead's, not the create page's.
    ("behaviour link:POST /leads 201 GetLeadById", Level.INFERRED, "Retrieve a single lead by ID"),
    # Issue 10. The update pages list their responses (stated); their 200 example shows {success, lead}, whose
    # lead has campaign_id where Get Lead has a campaign object (contested).
    ("status PATCH /leads/{id} 400", Level.STATED, "400 validation"),
    ("status PUT /leads/{id} 404", Level.STATED, "404 lead not found"),
    ("field PATCH /leads/{id} 200 /success", Level.SHOWN, "success:true"),
    ("field PUT /leads/{id} 200 /lead/first_name", Level.SHOWN, "lead{...}"),
    ("field PATCH /leads/{id} 200 /lead/campaign_id", Level.CONTESTED, "not a campaign object"),
    ("error body PATCH /leads/{id} 404 /error", Level.INFERRED, '"error": "Lead not found"'),
    # Patch Tags and Set Status give their 200 and no error response: the errors are Nexor's convention.
    ("field PUT /leads/tags 200 /added", Level.SHOWN, "added[ids]"),
    ("status PUT /leads/tags 404", Level.INFERRED, "404 — Lead not found"),
    ("status PUT /leads/tags 401", Level.INFERRED, "Missing API key"),
    ("field POST /leads/{id}/status 200 /changed", Level.SHOWN, "changed:boolean"),
    ("status POST /leads/{id}/status 400", Level.INFERRED, "400 validation"),
    # Tags on Get Lead: the newer page only.
    ("field GET /leads/{id} 200 /tags", Level.CONTESTED, "tags:[]"),
    ("behaviour scenario:an update shallow-merges metadata", Level.STATED, "shallow-merged"),
    ("behaviour scenario:PUT is the same partial update as PATCH", Level.STATED, "identical partial updates"),
    ("behaviour scenario:campaign_id null removes the campaign", Level.CONTESTED, "null removes the campaign"),
    ("behaviour scenario:tags are the full set", Level.STATED, "[] clears all tags"),
    ("behaviour scenario:tags: lead_id wins over email", Level.STATED, "lead_id wins"),
    ("behaviour scenario:tags read back on Get Lead", Level.CONTESTED, "tags:[]"),
    ("behaviour scenario:setting a status says whether it changed", Level.STATED, "changed:false"),
    ("behaviour scenario:an unknown status_key is refused", Level.INFERRED, "400 validation"),
    ("behaviour scenario:lifecycle: create, read, patch one field, read", Level.CONTESTED, "lead:{"),
]


@pytest.mark.parametrize(("fact", "level", "words"), LEVELS, ids=[row[0] for row in LEVELS])
def test_each_fact_has_the_level_its_doc_line_gives(fact, level, words):
    evidence = evidence_of(fact)
    assert evidence.level is level
    assert words in evidence.quote
    assert evidence.confirmed is None  # nobody confirmed anything with Nexor yet


def test_every_fact_and_every_scenario_is_backed():
    assert all(evidence is not None for evidence in evidence_by_fact().values())
    assert all(scenario.evidence is not None for scenario in NEXOR.scenarios)
    assert NEXOR.probe("malformed id").evidence == evidence_of("status GET /leads/{id} 400")


def test_metadata_values_are_contested_wherever_the_lead_is_returned():
    index = evidence_index(SPEC)
    read, create = index.operations[READ], index.operations[CREATE]
    values = [
        index.for_field(read, read.responses["200"], "/metadata/edad"),
        index.for_field(create, create.responses["201"], "/lead/metadata/edad"),
    ]
    for evidence in values:
        assert evidence is not None
        assert evidence.level is Level.CONTESTED
        assert "There is no enforced schema" in evidence.quote
        assert "Values can be strings, numbers, or booleans." in evidence.quote
        assert evidence.source.startswith("seeds/003_d136e3b764ea1e2d.txt")


def test_metadata_values_are_strings_numbers_or_booleans_in_requests_and_responses():
    scalar = {"type": ["string", "number", "boolean"]}
    metadata = SPEC.schema_at("#/components/schemas/Metadata")["additionalProperties"]
    create = SPEC.schema_at("#/components/schemas/LeadCreate")
    for schema in (metadata, create["properties"]["metadata"]["additionalProperties"], create["additionalProperties"]):
        assert {key: value for key, value in schema.items() if key != EVIDENCE_KEY} == scalar
    lead = SPEC.validator("#/components/schemas/Metadata")
    assert lead.is_valid({"edad": 35, "broker": "Tony", "vip": True, "score": 0.5})
    for bad in ({"a": {"b": 1}}, {"a": [1]}, {"a": None}):
        assert not lead.is_valid(bad)


def test_the_metadata_discrepancy_is_the_create_pages_own():
    entries = SPEC.schema_at("#/components/schemas/Metadata")["x-doc-discrepancy"]
    own = [entry for entry in entries if entry["source"].startswith("seeds/003_d136e3b764ea1e2d.txt")]
    assert len(own) == 1
    assert "There is no enforced schema" in own[0]["reading"]
    assert "Values can be strings, numbers, or booleans" in own[0]["reading"]
    assert "contested" in own[0]["reading"]


def test_get_lead_documents_the_validation_400():
    response = SPEC.operation(READ).responses["400"]
    assert (
        response.pointer == SPEC.operation(CREATE).responses["400"].pointer == "/components/responses/ValidationError"
    )
    assert SPEC.response_schema_pointer(response) is not None
    body = {"error": "Validation error", "message": "id must be a valid UUID"}
    assert SPEC.validator(SPEC.response_schema_pointer(response) or "").is_valid(body)
    assert NEXOR.probe("malformed id").expect_status == 400


# -- quotes are the pages' own words --------------------------------------------------------------

needs_docs = pytest.mark.skipif(not VENDOR_DOCS.is_dir(), reason=f"the vendor docs are not at {VENDOR_DOCS}")


def _spec_evidence(node: Any) -> Iterator[dict[str, Any]]:
    if isinstance(node, dict):
        if EVIDENCE_KEY in node:
            yield node[EVIDENCE_KEY]
        for value in node.values():
            yield from _spec_evidence(value)
    elif isinstance(node, list):
        for value in node:
            yield from _spec_evidence(value)


def _all_evidence() -> list[tuple[str, str]]:
    written = [(str(found["source"]), str(found["quote"])) for found in _spec_evidence(SPEC.raw)]
    written += [
        (scenario.evidence.source, scenario.evidence.quote) for scenario in NEXOR.scenarios if scenario.evidence
    ]
    written += [(probe.evidence.source, probe.evidence.quote) for probe in NEXOR.probes if probe.evidence]
    return written


def _flat(text: str) -> str:
    return " ".join(text.split())


@needs_docs
def test_quotes_from_a_primary_page_are_on_that_page():
    """A quote from one seeds/ page is that page's text: its parts (split at "…") appear on it as written."""
    checked = 0
    for source, quote in _all_evidence():
        if not source.startswith("seeds/") or " against " in source:
            continue  # another page's words (research-notes), or two pages set against each other
        page = _flat((VENDOR_DOCS / source.split(" ")[0]).read_text(encoding="utf-8"))
        for part in (part.strip() for part in quote.split("…")):
            assert _flat(part) in page, f"{part!r} is not on {source}"
        checked += 1
    assert checked >= 30


def test_contested_facts_name_both_readings():
    for source, quote in _all_evidence():
        if re.search(r"\bagainst\b", source):
            assert "against" in quote, (source, quote)


# -- grading: break one fact in the fake, see the severity its evidence gives ---------------------


def run(unit_id: str, *defects: Defect) -> list[Finding]:
    target = fake_target(NexorFake(defects=list(defects)), base_url=SPEC.server_url).with_limits(max_examples=3)
    ctx = open_run(NEXOR, target, spec=SPEC)
    try:
        run_guard(ctx)
        unit = next(unit for unit in plan_units(NEXOR, SPEC) if unit.id == unit_id)
        return run_unit(ctx, unit).findings
    finally:
        ctx.close()


def facts_broken(findings: list[Finding]) -> list[Finding]:
    return [finding for finding in findings if finding.evidence is not None]


def test_core_columns_in_metadata_break_the_stated_mapping():
    findings = run("scenario:unknown top-level keys are mapped into metadata", Quirk(name="core_columns_in_metadata"))
    broken = facts_broken(findings)
    assert sorted(finding.path for finding in broken) == [
        "/lead/metadata/email",
        "/lead/metadata/first_name",
        "/lead/metadata/last_name",
        "/lead/metadata/phone",
    ]
    for finding in broken:
        assert (finding.kind, finding.severity, finding.expected) == (Kind.BEHAVIOR_MISMATCH, Severity.ERROR, "absent")
        assert finding.evidence is not None
        assert finding.evidence.level is Level.STATED
        assert "not core lead columns" in finding.evidence.quote


def test_core_columns_in_metadata_also_break_the_precedence_scenario():
    findings = run("scenario:explicit metadata wins over top-level keys", Quirk(name="core_columns_in_metadata"))
    assert [(f.path, f.severity) for f in facts_broken(findings)] == [("/lead/metadata/first_name", Severity.ERROR)]


def test_the_unbroken_mapping_scenarios_pass():
    assert run("scenario:unknown top-level keys are mapped into metadata") == []
    assert run("scenario:explicit metadata wins over top-level keys") == []


def test_a_vendor_that_refuses_a_phoneless_workflow_create_gets_a_contested_warning():
    refused = {"error": "Validation error", "message": "phone is required for workflows with call steps"}
    findings = run(
        "scenario:a workflow that cannot be assigned gives a warning",
        ReplaceStatus(operation=CREATE, status=201, new_status=400),
        ReplaceBody(operation=CREATE, status=400, body=refused),
    )
    broken = facts_broken(findings)
    assert [(f.kind, f.location, f.observed) for f in broken] == [(Kind.BEHAVIOR_MISMATCH, Location.STATUS, "400")]
    (finding,) = broken
    assert finding.severity is Severity.WARNING
    assert finding.evidence is not None
    assert finding.evidence.level is Level.CONTESTED
    assert "required if assigning to a workflow with call steps" in finding.headline()


def test_a_vendor_that_answers_a_malformed_id_with_404_gets_an_inferred_warning():
    findings = run(
        "probe:malformed id",
        ReplaceStatus(operation=READ, status=400, new_status=404),
        ReplaceBody(operation=READ, status=404, body={"error": "Lead not found"}),
    )
    broken = facts_broken(findings)
    assert [(f.kind, f.location, f.expected.split(" ")[0], f.observed) for f in broken] == [
        (Kind.BEHAVIOR_MISMATCH, Location.STATUS, "400", "404")
    ]
    assert broken[0].severity is Severity.WARNING
    assert "400 validation" in broken[0].headline()


def test_the_malformed_id_probe_passes_on_the_fake():
    assert run("probe:malformed id") == []


def test_a_nested_metadata_value_is_a_contested_warning():
    findings = run("probe:known lead", SetValue(operation=READ, status=200, pointer="/metadata/nested", value={"a": 1}))
    broken = facts_broken(findings)
    assert [(f.kind, f.path, f.severity) for f in broken] == [
        (Kind.TYPE_MISMATCH, "/metadata/nested", Severity.WARNING)
    ]
    assert "Values can be strings, numbers, or booleans." in broken[0].headline()


def test_a_vendor_that_follows_the_newer_get_lead_page_gets_warnings_only():
    newer = {"success": True, "lead": {"id": NexorFake.known_lead_id, "first_name": "Carlos"}, "variables": {}}
    findings = run("probe:known lead", ReplaceBody(operation=READ, status=200, body=newer))
    broken = facts_broken(findings)
    assert {f.path for f in broken if f.kind is Kind.MISSING_FIELD} >= {"/id", "/first_name", "/activeWorkflowRun"}
    assert {f.severity for f in broken} == {Severity.WARNING}
    assert all(f.evidence is not None and not f.evidence.binding for f in broken)
    assert {f.evidence.level for f in broken if f.evidence is not None and f.path == "/email"} == {Level.CONTESTED}


def test_a_bare_lead_with_a_wrong_field_type_still_breaks_the_stated_field_table():
    """Only where the fields sit is contested (x-evidence-presence); what each field is, the table states."""
    findings = run("probe:known lead", SetValue(operation=READ, status=200, pointer="/email", value=42))
    (broken,) = [f for f in facts_broken(findings) if f.path == "/email"]
    assert broken.severity is Severity.ERROR
    assert broken.evidence is not None
    assert broken.evidence.level is Level.STATED
    assert "Response Fields" in broken.evidence.quote


@pytest.mark.parametrize(
    ("pointer", "severity", "level"),
    [
        pytest.param("/lead/first_name", Severity.ERROR, Level.SHOWN, id="shown-in-the-example"),
        pytest.param("/warning", Severity.ERROR, Level.STATED, id="stated-in-the-field-list"),
        pytest.param("/lead/company", Severity.WARNING, Level.INFERRED, id="only-null-in-the-example"),
    ],
)
def test_breaking_a_create_field_is_graded_by_its_evidence(pointer, severity, level):
    findings = run(f"property:{CREATE}", SetValue(operation=CREATE, status=201, pointer=pointer, value=12345))
    broken = [f for f in facts_broken(findings) if f.path == pointer]
    assert broken, [f.headline() for f in findings]
    assert {(f.kind, f.severity) for f in broken} == {(Kind.TYPE_MISMATCH, severity)}
    assert all(f.evidence is not None and f.evidence.level is level for f in broken)


def test_a_scenarios_responses_are_graded_by_the_spec_and_its_expectations_by_the_scenario():
    """The mapping scenario is stated, but a nested metadata value in its answer breaks the contested value type."""
    findings = run(
        "scenario:unknown top-level keys are mapped into metadata",
        SetValue(operation=CREATE, status=201, pointer="/lead/metadata/nested", value={"a": 1}),
        Quirk(name="no_metadata_mapping"),
    )
    graded = {(f.kind, f.path): (f.severity, f.evidence.level if f.evidence else None) for f in facts_broken(findings)}
    assert graded == {
        (Kind.TYPE_MISMATCH, "/lead/metadata/nested"): (Severity.WARNING, Level.CONTESTED),
        (Kind.BEHAVIOR_MISMATCH, "/lead/metadata"): (Severity.ERROR, Level.STATED),
    }


def test_a_malformed_lead_id_in_the_configuration_is_named_by_the_guard():
    target = fake_target(NexorFake(), base_url=SPEC.server_url)
    ctx = open_run(NEXOR, target, spec=SPEC)
    try:
        ctx.known_lead_id = "not-a-uuid"
        with pytest.raises(
            ConfigError, match=r"found no lead 'not-a-uuid' \(refused as malformed, 400\): set NEXOR_LEAD_ID"
        ):
            run_guard(ctx)
    finally:
        ctx.close()
