"""Aura's facts are graded by what its docs say (specs/aura.yaml's x-evidence; seeds/004 Get lead by ID).

The page has no field table: it says what the response includes and shows one example, so the lead's
fields are ``shown``, each quoting its example line. What another Aura page (or an older version of this
one) contradicts is ``contested``: ``requestId`` (every error example has it, the overview's error
envelope does not), the 404's ``NOT_FOUND`` (a placeholder for every status), ``notes``, ``metadata`` and
``source`` (the older page version). The 401 and the malformed-id 400 are ``inferred`` from the overview.
A deviation from a contested or inferred fact is a warning that quotes its evidence; from a shown or
stated one, a contract failure.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import jsonpointer
import pytest

from contracts.engine.context import load_spec, open_run
from contracts.engine.facts import FactKind, documented_facts, fact_evidence
from contracts.engine.grading import evidence_index
from contracts.engine.probes import run_guard
from contracts.engine.runner import plan_units, run_unit, run_vendor
from contracts.fakes._core import Defect, DropField, ReplaceStatus, SetValue
from contracts.spec.document import FORMAT_CHECKER
from contracts.transport.targets import fake_target
from contracts.values.evidence import Evidence, Level
from contracts.values.findings import Finding, Kind, Severity
from contracts.values.results import Status
from contracts.vendors import get_vendor

AURA = get_vendor("aura")
SPEC = load_spec(AURA)
READ = "GET /v1/leads/{id}"
PAGE = "seeds/004_1d5737af99dcfaff.txt"
OVERVIEW = "https://docs.api.aura-app.ai/"
OLDER = "https://docs.api.aura-app.ai/openapi/v1/leads/id/get"
VENDOR_DOCS = Path(__file__).resolve().parents[2].parent / "shared" / "vendor-docs"
RESPONSES = "/paths/~1v1~1leads~1{id}/get/responses"
EXAMPLE = f"{RESPONSES}/200/content/application~1json/examples/docs"

EVIDENCE = fact_evidence(AURA, SPEC, documented_facts(AURA, SPEC))
BY_ID = {fact.id: evidence for fact, evidence in EVIDENCE.items()}


def evidence_of(fact_id: str) -> Evidence:
    evidence = BY_ID[fact_id]
    assert evidence is not None, fact_id
    return evidence


# -- the levels the docs give -----------------------------------------------------------------------


@pytest.mark.parametrize("status", ["400", "401", "404"])
def test_request_id_is_contested_with_both_readings(status):
    """Every error example shows requestId; the overview's Error Handling envelope does not have it."""
    evidence = evidence_of(f"error body {READ} {status} /requestId")
    assert evidence.level is Level.CONTESTED
    assert PAGE in evidence.source
    assert OVERVIEW in evidence.source
    assert '"requestId": "req_abc123"' in evidence.quote
    assert '{"success":false,"error":"Error message","code":...}' in evidence.quote
    assert not evidence.binding


def test_request_id_stays_required_and_both_readings_are_recorded():
    error = SPEC.schema_at("#/components/schemas/Error")
    assert "requestId" in error["required"]
    readings = error["properties"]["requestId"]["x-doc-discrepancy"]
    assert {entry["source"].split(" ")[0] for entry in readings} == {PAGE, OVERVIEW}
    assert any("no requestId" in " ".join(entry["reading"].split()) for entry in readings)


def test_the_envelope_of_the_404_is_shown_and_its_placeholder_code_contested():
    for field in ("/success", "/error"):
        assert evidence_of(f"error body {READ} 404 {field}").level is Level.SHOWN
    assert evidence_of(f"status {READ} 404").level is Level.SHOWN
    code = evidence_of(f"error body {READ} 404 /code")
    assert code.level is Level.CONTESTED
    assert "WEBHOOK_NOT_FOUND" in code.quote
    assert "webhooks/post" in code.source


@pytest.mark.parametrize("status", ["400", "401"])
def test_error_bodies_not_on_the_page_are_inferred_from_the_overview(status):
    assert evidence_of(f"status {READ} {status}").level is Level.INFERRED
    for field in ("/success", "/error", "/code"):
        evidence = evidence_of(f"error body {READ} {status} {field}")
        assert evidence.level is Level.INFERRED
        assert OVERVIEW in evidence.source
        assert '"error":"Error message"' in evidence.quote


def test_the_malformed_id_probe_and_its_400_are_inferred_from_the_uuid_and_the_envelope():
    probe = evidence_of("behaviour probe:malformed id")
    assert probe.level is Level.INFERRED
    assert "Lead ID (UUID)" in probe.quote
    assert "Formatuuid" in probe.quote
    assert probe == evidence_of(f"status {READ} 400")
    assert AURA.probe("malformed id").path_params == {"id": "not-a-uuid"}


@pytest.mark.parametrize("field", ["/data/notes", "/data/metadata", "/data/source"])
def test_what_the_older_page_version_contradicts_is_contested(field):
    evidence = evidence_of(f"field {READ} 200 {field}")
    assert evidence.level is Level.CONTESTED
    assert PAGE in evidence.source
    assert OLDER in evidence.source
    assert "older version" in evidence.quote


@pytest.mark.parametrize(
    "field",
    [
        "/data/notes/*/content",
        "/data/metadata/utmSource",
        "/data/metadata/dataConsentAcceptedAt",
        "/data/source/referrer",
    ],
)
def test_members_of_a_contested_object_are_shown_by_their_own_line(field):
    """The older version contradicts the container (null, "unknown (JSONB)"), not the members the page shows."""
    evidence = evidence_of(f"field {READ} 200 {field}")
    assert evidence.level is Level.SHOWN
    assert f'"{field.rsplit("/", 1)[-1]}": ' in evidence.quote


def test_the_operation_and_its_success_are_stated_and_the_fields_shown_by_the_example():
    assert evidence_of(f"status {READ} 200").level is Level.STATED
    assert "All lead fields (contact info, status, notes)" in evidence_of(f"status {READ} 200").quote
    operation = evidence_index(SPEC).for_operation(SPEC.operation(READ))
    assert operation is not None
    assert operation.level is Level.STATED
    levels = {
        evidence.level
        for fact, evidence in EVIDENCE.items()
        if fact.kind is FactKind.FIELD and evidence and fact.id.startswith(f"field {READ} ")
    }
    assert levels == {Level.SHOWN, Level.CONTESTED}, "the page states no field: it shows them"
    disqualification = evidence_of(f"field {READ} 200 /data/disqualification_data")
    assert disqualification.level is Level.SHOWN, "null (older version) or an object (this page): both accepted"


@pytest.mark.skipif(not VENDOR_DOCS.is_dir(), reason=f"the vendor docs are not at {VENDOR_DOCS}")
def test_every_shown_field_quotes_its_own_line_of_the_page():
    page = (VENDOR_DOCS / PAGE).read_text(encoding="utf-8")
    compact = " ".join(page.split())
    for fact, evidence in EVIDENCE.items():
        if fact.kind is not FactKind.FIELD or evidence is None or evidence.level is not Level.SHOWN:
            continue
        name = fact.subject.rsplit("/", 1)[-1]
        assert evidence.source == PAGE, fact.id
        assert f'"{name}"' in evidence.quote, fact.id
        # The quote's line for the field ("name": a scalar, or the opening of an object or array) is on the page.
        line = re.search(rf'"{re.escape(name)}": ("[^"]*"|-?\d+|null|true|false|\{{|\[)', evidence.quote)
        assert line is not None, fact.id
        assert line.group(0) in compact, (fact.id, line.group(0))


# -- formats: only where the docs give them ------------------------------------------------------


def formats(node: Any, pointer: str = "") -> dict[str, str]:
    """JSON pointer of every schema that writes a ``format`` -> the format."""
    found: dict[str, str] = {}
    if isinstance(node, dict):
        if isinstance(node.get("format"), str):
            found[pointer] = node["format"]
        for key, value in node.items():
            found |= formats(value, f"{pointer}/{str(key).replace('~', '~0').replace('/', '~1')}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            found |= formats(value, f"{pointer}/{index}")
    return found


SCHEMAS = "/components/schemas"
FORMATS = {
    # where the spec writes a format -> where the docs' example shows a value of it (None: stated by the page)
    "/paths/~1v1~1leads~1{id}/get/parameters/0/schema": None,  # "Lead ID (UUID)", "Formatuuid"
    f"{SCHEMAS}/Lead/properties/id": "/data/id",
    f"{SCHEMAS}/Lead/properties/email": "/data/email",
    f"{SCHEMAS}/Lead/properties/created_at": "/data/created_at",
    f"{SCHEMAS}/Lead/properties/updated_at": "/data/updated_at",
    f"{SCHEMAS}/LeadNote/properties/created_at": "/data/notes/0/created_at",
    f"{SCHEMAS}/LeadMetadata/properties/dataConsentAcceptedAt": "/data/metadata/dataConsentAcceptedAt",
    "/paths/~1v1~1leads~1{id}/patch/parameters/0/schema": None,  # the same "Lead ID (UUID)"
    f"{SCHEMAS}/NoteInput/properties/created_at": "/data/notes/0/created_at",  # a note sent is the lead's note
}
STATED_ELSEWHERE = {
    # formats the other lead pages state (research-notes §4): the create's "email (string, email)", which the
    # update's email takes too
    f"{SCHEMAS}/LeadCreate/properties/email": "https://docs.api.aura-app.ai/openapi/v1/leads/post",
    f"{SCHEMAS}/LeadUpdate/properties/email": "https://docs.api.aura-app.ai/openapi/v1/leads/id/patch",
}


def test_every_format_is_stated_by_the_page_or_shown_by_its_example():
    written = formats(SPEC.raw)
    assert set(written) == {*FORMATS, *STATED_ELSEWHERE}
    for where, page in STATED_ELSEWHERE.items():
        evidence = SPEC.resolve_pointer(where)["x-evidence"]
        assert (evidence["level"], evidence["source"].split(" ")[0]) == ("stated", page)
        assert "email" in evidence["quote"]
    example = SPEC.resolve_pointer(EXAMPLE)["value"]
    for where, shown_at in FORMATS.items():
        if shown_at is None:
            assert SPEC.resolve_pointer(where.removesuffix("/schema"))["description"] == "Lead ID (UUID)"
            continue
        value = jsonpointer.resolve_pointer(example, shown_at)
        assert FORMAT_CHECKER.conforms(value, written[where]), (where, value)
        assert evidence_of(f"field {READ} 200 {shown_at.replace('/0/', '/*/')}").level is Level.SHOWN


@pytest.mark.parametrize(("schema", "field"), [("Lead", "last_payment_at"), ("DisqualificationData", "evaluated_at")])
def test_no_format_the_docs_never_state(schema, field):
    """The page shows "string" for both and states no format: they are plain strings."""
    node = SPEC.schema_at(f"#/components/schemas/{schema}")["properties"][field]
    assert "format" not in node
    assert node["x-evidence"]["quote"] == f'"{field}": "string"'


def test_the_docs_example_is_a_valid_example():
    """With no unstated format, the page's example validates: it is an OpenAPI example, not an x-invalid one."""
    example = SPEC.resolve_pointer(EXAMPLE)
    assert example["x-doc-source"] == PAGE
    assert "x-invalid-examples" not in SPEC.resolve_pointer(f"{RESPONSES}/200/content/application~1json")
    assert list(SPEC.validator(f"{RESPONSES}/200/content/application~1json/schema").iter_errors(example["value"])) == []


# -- severity follows the evidence, against the fake -----------------------------------------------


def run(unit_id: str, *defects: Defect) -> list[Finding]:
    target = fake_target(AURA.fake(defects=list(defects)), base_url=SPEC.server_url).with_limits(max_examples=3)
    ctx = open_run(AURA, target, spec=SPEC)
    try:
        run_guard(ctx)
        unit = next(unit for unit in plan_units(AURA, SPEC) if unit.id == unit_id)
        return run_unit(ctx, unit).findings
    finally:
        ctx.close()


def named(findings: list[Finding], kind: Kind, path: str) -> Finding:
    matching = [finding for finding in findings if finding.kind is kind and finding.path == path]
    assert matching, [finding.headline() for finding in findings]
    return matching[0]


@pytest.mark.parametrize(
    ("defect", "kind", "path"),
    [
        (DropField(operation=READ, status=200, pointer="/data/email"), Kind.MISSING_FIELD, "/data/email"),
        (SetValue(operation=READ, status=200, pointer="/data/id", value="lead_1"), Kind.FORMAT_MISMATCH, "/data/id"),
        (
            SetValue(operation=READ, status=200, pointer="/data/created_at", value="2026-01-17 08:00"),
            Kind.FORMAT_MISMATCH,
            "/data/created_at",
        ),
        (
            SetValue(operation=READ, status=200, pointer="/data/status", value=None),
            Kind.UNEXPECTED_NULL,
            "/data/status",
        ),
        (
            DropField(operation=READ, status=200, pointer="/data/notes/0/user_id"),
            Kind.MISSING_FIELD,
            "/data/notes/0/user_id",
        ),
    ],
    ids=["missing email", "id not a uuid", "created_at not a date-time", "null status", "note without user_id"],
)
def test_breaking_a_shown_fact_fails_the_contract(defect, kind, path):
    finding = named(run("probe:known lead", defect), kind, path)
    assert finding.severity is Severity.ERROR
    assert finding.evidence is not None
    assert finding.evidence.level is Level.SHOWN


@pytest.mark.parametrize(
    ("unit", "defect", "kind", "path", "quoted"),
    [
        (
            "probe:unknown id",
            DropField(operation=READ, status=404, pointer="/requestId"),
            Kind.ERROR_BODY_MISMATCH,
            "/requestId",
            '{"success":false,"error":"Error message","code":...}',
        ),
        (
            "probe:missing key",
            DropField(operation=READ, status=401, pointer="/requestId"),
            Kind.ERROR_BODY_MISMATCH,
            "/requestId",
            '"requestId": "req_abc123"',
        ),
        (
            "probe:unknown id",
            SetValue(operation=READ, status=404, pointer="/code", value="LEAD_NOT_FOUND"),
            Kind.ERROR_BODY_MISMATCH,
            "/code",
            "WEBHOOK_NOT_FOUND",
        ),
        (
            "probe:known lead",
            SetValue(operation=READ, status=200, pointer="/data/notes", value=None),
            Kind.UNEXPECTED_NULL,
            "/data/notes",
            "notes:null",
        ),
        (
            "probe:known lead",
            SetValue(operation=READ, status=200, pointer="/data/metadata", value=None),
            Kind.UNEXPECTED_NULL,
            "/data/metadata",
            "metadata:null",
        ),
        (
            "probe:known lead",
            DropField(operation=READ, status=200, pointer="/data/source"),
            Kind.MISSING_FIELD,
            "/data/source",
            "GET example has no source",
        ),
    ],
    ids=[
        "404 without requestId",
        "401 without requestId",
        "404 with its own code",
        "null notes",
        "null metadata",
        "no source",
    ],
)
def test_breaking_a_contested_fact_is_a_warning_that_quotes_its_evidence(unit, defect, kind, path, quoted):
    finding = named(run(unit, defect), kind, path)
    assert finding.severity is Severity.WARNING
    assert finding.evidence is not None
    assert finding.evidence.level is Level.CONTESTED
    assert quoted in finding.evidence.quote
    assert "contested" in finding.headline()


def test_a_404_for_a_malformed_id_is_a_warning_citing_the_inferred_400():
    """A vendor that answers a non-UUID id like any unknown id (404 NOT_FOUND) breaks only an inferred fact."""
    findings = run("probe:malformed id", ReplaceStatus(operation=READ, status=400, new_status=404))
    finding = named(findings, Kind.BEHAVIOR_MISMATCH, "")
    assert (finding.status_code, finding.severity) == (404, Severity.WARNING)
    assert finding.evidence is not None
    assert finding.evidence.level is Level.INFERRED
    assert "Lead ID (UUID)" in finding.evidence.quote
    assert [f.headline() for f in findings if f.is_contract_failure] == []


def test_the_fake_answers_the_malformed_id_probe_as_documented():
    assert run("probe:malformed id") == []


def test_placeholder_strings_in_the_undocumented_formats_are_no_finding():
    """A vendor that sends what the page shows ("string") for last_payment_at and evaluated_at is correct."""
    findings = run(
        "probe:known lead",
        SetValue(operation=READ, status=200, pointer="/data/last_payment_at", value="string"),
        SetValue(operation=READ, status=200, pointer="/data/disqualification_data/evaluated_at", value="string"),
    )
    assert findings == []


def test_a_vendor_following_the_overviews_envelope_passes_with_warnings():
    """No requestId on any error (the overview's reading): the contract holds, and each warning names the evidence."""
    defects = [DropField(operation=READ, status=status, pointer="/requestId") for status in (400, 401, 404)]
    result = run_vendor(
        AURA, fake_target(AURA.fake(defects=defects), base_url=SPEC.server_url).with_limits(max_examples=3), spec=SPEC
    )
    assert result.status is Status.PASS, [f.headline() for f in result.contract_failures]
    missing = [f for f in result.findings if f.path == "/requestId"]
    assert {f.status_code for f in missing} == {400, 401, 404}
    for finding in missing:
        assert finding.severity is Severity.WARNING
        assert finding.evidence is not None
        assert finding.evidence.level is Level.CONTESTED


def test_the_example_lines_quoted_are_the_docs_values():
    """The shown quotes carry the example's own values (so FACTS.md shows what the page shows)."""
    example = SPEC.resolve_pointer(EXAMPLE)["value"]["data"]
    for field in ("email", "phone", "status", "timezone", "created_at"):
        quote = evidence_of(f"field {READ} 200 /data/{field}").quote
        assert json.dumps({field: example[field]})[1:-1] in quote, field
