"""DialNexa's facts carry the evidence its docs give them, and a deviation is graded by it.

The primary page (seeds/002, Get a campaign lead) contradicts itself: its field table and first example have
``name``, ``notes`` and ``call_log_id``; its prose and its Response section example say ``metadata``, and that
example has no ``name`` (nor ``call_log_id``: its lead is pending, and the prose gives ``call_log_id`` only "once a
call has been placed"). A vendor following either reading is correct, so it is never failed; what the page
states (the status list, 403, 404, the types in the field table) still fails the contract when broken.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from contracts.engine.context import load_spec, open_run
from contracts.engine.facts import Fact, FactKind, documented_facts, fact_evidence
from contracts.engine.probes import run_guard
from contracts.engine.runner import plan_units, run_unit, run_vendor
from contracts.fakes._core import (
    AcceptAnyKey,
    Defect,
    DropField,
    FakeRequest,
    FakeResponse,
    ReplaceBody,
    ReplaceStatus,
    SetValue,
)
from contracts.transport.targets import fake_target
from contracts.values.evidence import Evidence, Level
from contracts.values.findings import Finding, Kind, Severity
from contracts.vendors import get_vendor

VENDOR = get_vendor("dialnexa")
SPEC = load_spec(VENDOR)
READ = VENDOR.read_operation
PAGE = "seeds/002_9b11b90faadff0f6.txt"
AUTH_PAGE = "https://dialnexa.mintlify.app/api-reference/authentication"
ERRORS_PAGE = "https://dialnexa.mintlify.app/api-reference/errors"
VENDOR_DOCS = Path(__file__).resolve().parents[2].parent / "shared" / "vendor-docs"
MEDIA = "/paths/~1campaigns-leads~1{id}/get/responses/200/content/application~1json"
RESPONSE_SECTION = SPEC.resolve_pointer(f"{MEDIA}/x-invalid-examples/response-section")["value"]
"""The page's Response section example: metadata instead of notes, no name, no call_log_id."""
LEAD = SPEC.raw["components"]["schemas"]["CampaignLead"]


def evidence_of(kind: FactKind, status: str = "", subject: str = "") -> Evidence:
    fact = Fact(kind, "" if kind is FactKind.BEHAVIOUR else READ, status, subject)
    facts = documented_facts(VENDOR, SPEC)
    assert fact in facts, fact.id
    found = fact_evidence(VENDOR, SPEC, [fact])[fact]
    assert found is not None, fact.id
    return found


def field(subject: str) -> Evidence:
    return evidence_of(FactKind.FIELD, "200", subject)


# -- the levels the page gives ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("subject", "level"),
    [
        ("/id", Level.STATED),
        ("/phone_number", Level.STATED),
        ("/campaign_id", Level.STATED),
        ("/status", Level.STATED),
        ("/created_at", Level.STATED),
        ("/call_log_id", Level.STATED),
        ("/name", Level.CONTESTED),
        ("/notes", Level.CONTESTED),
        ("/metadata", Level.CONTESTED),
    ],
)
def test_each_field_has_the_level_the_page_gives_it(subject, level):
    evidence = field(subject)
    assert (evidence.level, evidence.source) == (level, PAGE)


def test_name_is_contested_by_the_response_section_example_that_lacks_it():
    assert "name" in LEAD["required"]  # as the field table and first example have it
    assert "name" not in RESPONSE_SECTION
    quote = field("/name").quote
    assert "name string" in quote
    assert "has no" in quote
    assert "name" in quote.rsplit("has no", 1)[1]


def test_notes_and_metadata_are_both_documented_and_contested():
    assert "notes" in LEAD["required"]
    assert "metadata" not in LEAD["required"]  # documented, optional: a vendor answers with one of the two
    assert LEAD["properties"]["metadata"]["additionalProperties"] is True
    assert "metadata" in RESPONSE_SECTION
    assert "notes" not in RESPONSE_SECTION
    assert "the metadata object that carries dynamic variables for the agent" in field("/notes").quote
    assert "notes" in field("/metadata").quote
    readings = " ".join(entry["reading"] for entry in LEAD["x-doc-discrepancy"])
    assert "metadata instead of notes" in readings
    assert "lacks name" in readings


def test_call_log_id_exists_once_a_call_has_been_placed_so_it_is_not_required():
    assert "call_log_id" not in LEAD["required"]
    assert LEAD["properties"]["call_log_id"]["type"] == ["string", "null"]
    quote = field("/call_log_id").quote
    assert "once a call has been placed, the call_log_id" in quote
    assert "string | null" in quote


def test_the_status_list_is_stated_by_the_pages_prose():
    assert LEAD["properties"]["status"]["enum"] == ["pending", "in_progress", "completed", "failed", "removed"]
    assert "(pending, in_progress, completed, failed, removed)" in field("/status").quote


def test_statuses_the_page_states_are_stated_and_their_bodies_inferred():
    for status, line in (
        ("403", "403 Forbidden is returned when the API key cannot read campaign data on this workspace."),
        ("404", "404 Not Found is returned when the lead does not exist or has been removed."),
    ):
        stated = evidence_of(FactKind.STATUS, status)
        assert (stated.level, stated.source, stated.quote) == (Level.STATED, PAGE, line)
        for subject in ("/statusCode", "/message", "/error"):
            body = evidence_of(FactKind.ERROR_BODY, status, subject)
            assert (body.level, body.source) == (Level.INFERRED, ERRORS_PAGE)
    assert evidence_of(FactKind.BEHAVIOUR, subject="probe:forbidden").level is Level.STATED
    assert evidence_of(FactKind.BEHAVIOUR, subject="probe:unknown id").level is Level.STATED


def test_401_comes_from_the_authentication_page_and_is_inferred_not_contested():
    """The page lists no 401 (only "Authorization ... required"). The published OpenAPI's 401 differs from the
    authentication page's only in message's text, which the spec does not constrain: nothing checked is contested."""
    status = evidence_of(FactKind.STATUS, "401")
    assert (status.level, status.source) == (Level.INFERRED, AUTH_PAGE)
    for subject in ("/statusCode", "/message", "/error"):
        body = evidence_of(FactKind.ERROR_BODY, "401", subject)
        assert (body.level, body.source) == (Level.INFERRED, AUTH_PAGE)
        assert '{"statusCode":401,"message":"Unauthorized","error":"Unauthorized"}' in body.quote
    for probe in ("probe:missing key", "probe:invalid key"):
        assert evidence_of(FactKind.BEHAVIOUR, subject=probe).level is Level.INFERRED
    unauthorized = "#/components/schemas/UnauthorizedError"
    openapi_reading = {"statusCode": 401, "message": "API key is missing or invalid", "error": "Unauthorized"}
    assert list(SPEC.validator(unauthorized).iter_errors(openapi_reading)) == []


def test_every_fact_is_annotated_and_none_unannotated():
    evidence = fact_evidence(VENDOR, SPEC, documented_facts(VENDOR, SPEC))
    assert None not in evidence.values()


def _normal(text: str) -> str:
    return " ".join(text.replace("’", "'").split())


@pytest.mark.skipif(not VENDOR_DOCS.is_dir(), reason=f"the vendor docs are not at {VENDOR_DOCS}")
def test_the_primary_pages_lines_are_quoted_as_written():
    """Every quoted prose line (between the field-table notes) of a fact resting on seeds/002 is on that page."""
    page = _normal((VENDOR_DOCS / PAGE).read_text(encoding="utf-8"))
    evidence = fact_evidence(VENDOR, SPEC, documented_facts(VENDOR, SPEC))
    quoted = {found.quote for found in evidence.values() if found is not None and found.source == PAGE}
    checked = 0
    for quote in quoted:
        for fragment in re.split(r";|\(and the first example\)|\.\.\.|Response field table:", quote):
            fragment = _normal(fragment).strip(" .")
            if len(fragment) < 25 or '"' in fragment or "example" in fragment or "field table" in fragment:
                continue  # our notes about the examples and the table, not the page's prose
            assert fragment in page, fragment
            checked += 1
    assert checked >= 5


# -- severity follows the evidence -----------------------------------------------------------------------------


def run(unit_id: str, *defects: Defect) -> list[Finding]:
    target = fake_target(VENDOR.fake(defects=list(defects)), base_url=SPEC.server_url).with_limits(max_examples=3)
    ctx = open_run(VENDOR, target, spec=SPEC)
    try:
        run_guard(ctx)
        unit = next(unit for unit in plan_units(VENDOR, SPEC) if unit.id == unit_id)
        return run_unit(ctx, unit).findings
    finally:
        ctx.close()


def named(findings: list[Finding], kind: Kind, path: str | None = None) -> Finding:
    matching = [f for f in findings if f.kind is kind and (path is None or f.path == path)]
    assert matching, [f.headline() for f in findings]
    return matching[0]


def errors(findings: list[Finding]) -> list[str]:
    return [f.headline() for f in findings if f.severity is Severity.ERROR]


@pytest.mark.parametrize("unit", ["probe:known lead", f"property:{READ}"])
def test_a_vendor_following_the_response_section_reading_is_warned_never_failed(unit):
    body: dict[str, Any] = dict(RESPONSE_SECTION)
    findings = run(unit, ReplaceBody(operation=READ, status=200, body=body))
    assert errors(findings) == []
    for path in ("/name", "/notes"):
        missing = named(findings, Kind.MISSING_FIELD, path)
        assert missing.severity is Severity.WARNING
        assert missing.evidence is not None
        assert missing.evidence.level is Level.CONTESTED
        assert "contested" in missing.headline()
        assert PAGE in missing.headline()
    assert not [f for f in findings if f.path in ("/metadata", "/call_log_id")]  # documented, optional


_GET = FakeRequest(method="GET", path="/campaigns-leads/lead_abc123", headers={}, query={})


def _known() -> FakeResponse:
    return FakeResponse(200, SPEC.resolve_pointer(f"{MEDIA}/examples/docs")["value"])


@dataclass(frozen=True, kw_only=True)
class ResponseSectionReading(ReplaceBody):
    """Every lead Get answers in the Response section's shape: metadata for notes, no name (nor call_log_id).

    Each read keeps its own lead (issue 10's scenarios read back what they created), unlike ReplaceBody's fixed body
    (a ReplaceBody, not a new kind of Defect: tests/test_testing.py holds the kinds to the documented set)."""

    body: Any = None

    def apply(self, response: FakeResponse, request: FakeRequest) -> FakeResponse:
        body = copy.deepcopy(response.body)
        if isinstance(body, dict):
            body.pop("name", None)
            body.pop("call_log_id", None)
            if "notes" in body:
                body["metadata"] = body.pop("notes")
            response.body = body
        return response


def test_the_whole_run_against_the_response_section_reading_passes():
    assert set(ResponseSectionReading(operation=READ).apply(_known(), _GET).body) == set(RESPONSE_SECTION)
    fake = VENDOR.fake(defects=[ResponseSectionReading(operation=READ, status=200)])
    result = run_vendor(VENDOR, fake_target(fake, base_url=SPEC.server_url).with_limits(max_examples=3), spec=SPEC)
    assert result.status == "pass", result.reason
    assert result.contract_failures == []
    assert {f.path for f in result.findings if f.kind is Kind.MISSING_FIELD} == {"/name", "/notes"}


@pytest.mark.parametrize(
    "defect",
    [
        DropField(operation=READ, status=200, pointer="/call_log_id"),
        SetValue(operation=READ, status=200, pointer="/call_log_id", value=None),
    ],
    ids=["absent before a call", "null"],
)
def test_call_log_id_absent_or_null_is_no_finding(defect):
    findings = run("probe:known lead", defect)
    assert [f.headline() for f in findings if f.path == "/call_log_id"] == []


@pytest.mark.parametrize(
    ("defect", "kind", "path"),
    [
        (SetValue(operation=READ, status=200, pointer="/status", value="queued"), Kind.ENUM_MISMATCH, "/status"),
        (DropField(operation=READ, status=200, pointer="/phone_number"), Kind.MISSING_FIELD, "/phone_number"),
        (SetValue(operation=READ, status=200, pointer="/call_log_id", value=42), Kind.TYPE_MISMATCH, "/call_log_id"),
        (
            SetValue(operation=READ, status=200, pointer="/created_at", value="2024-03-01"),
            Kind.FORMAT_MISMATCH,
            "/created_at",
        ),
    ],
    ids=["status outside the list", "phone_number missing", "call_log_id not a string", "created_at not a date-time"],
)
def test_breaking_a_stated_fact_is_a_contract_failure(defect, kind, path):
    finding = named(run("probe:known lead", defect), kind, path)
    assert finding.severity is Severity.ERROR
    assert finding.evidence is not None
    assert finding.evidence.level is Level.STATED


@pytest.mark.parametrize(
    ("defect", "path"),
    [
        (SetValue(operation=READ, status=200, pointer="/name", value=7), "/name"),
        (SetValue(operation=READ, status=200, pointer="/notes", value="loan"), "/notes"),
    ],
    ids=["name", "notes"],
)
def test_breaking_a_contested_fact_is_a_warning_quoting_its_evidence(defect, path):
    finding = named(run("probe:known lead", defect), Kind.TYPE_MISMATCH, path)
    assert finding.severity is Severity.WARNING
    assert finding.evidence is not None
    assert finding.evidence.level is Level.CONTESTED
    assert finding.evidence.quote in finding.headline()


def test_a_wrong_401_body_is_a_warning_quoting_the_authentication_page():
    findings = run("probe:missing key", ReplaceBody(operation=READ, status=401, body={"detail": "no key"}))
    finding = named(findings, Kind.ERROR_BODY_MISMATCH)
    assert finding.severity is Severity.WARNING
    assert finding.evidence is not None
    assert (finding.evidence.level, finding.evidence.source) == (Level.INFERRED, AUTH_PAGE)
    assert errors(findings) == []


def test_the_openapi_401_message_is_accepted():
    body = {"statusCode": 401, "message": "API key is missing or invalid", "error": "Unauthorized"}
    for unit in ("probe:missing key", "probe:invalid key"):
        assert run(unit, ReplaceBody(operation=READ, status=401, body=body)) == []


def test_a_missing_key_answered_403_is_a_warning_the_401_being_inferred():
    findings = run("probe:missing key", ReplaceStatus(operation=READ, status=401, new_status=403))
    finding = named(findings, Kind.BEHAVIOR_MISMATCH)
    assert finding.severity is Severity.WARNING
    assert finding.evidence is not None
    assert finding.evidence.level is Level.INFERRED


def test_a_restricted_key_answered_401_breaks_the_stated_403():
    findings = run("probe:forbidden", ReplaceStatus(operation=READ, status=403, new_status=401))
    finding = named(findings, Kind.BEHAVIOR_MISMATCH)
    assert finding.severity is Severity.ERROR
    assert finding.evidence is not None
    assert finding.evidence.quote.startswith("403 Forbidden is returned")


def test_a_restricted_key_served_the_lead_breaks_the_stated_403_not_the_inferred_401():
    """The probe is graded by the status it expects: the page states 403 for a key that cannot read campaign data."""
    finding = named(run("probe:forbidden", AcceptAnyKey()), Kind.AUTH_NOT_ENFORCED)
    assert finding.severity is Severity.ERROR
    assert finding.evidence is not None
    assert (finding.evidence.level, finding.evidence.source) == (Level.STATED, PAGE)
    assert finding.evidence.quote.startswith("403 Forbidden is returned")


def test_a_wrong_403_body_is_a_warning_the_body_being_inferred():
    findings = run("probe:forbidden", ReplaceBody(operation=READ, status=403, body={"detail": "forbidden"}))
    finding = named(findings, Kind.ERROR_BODY_MISMATCH)
    assert finding.severity is Severity.WARNING
    assert finding.evidence is not None
    assert (finding.evidence.level, finding.evidence.source) == (Level.INFERRED, ERRORS_PAGE)
