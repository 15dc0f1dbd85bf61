"""Probe expectations (``Probe.expect``): body values a probe's response must hold, beyond its schema.

The engine part is vendor-agnostic; the probes here are written in the tests and run against a fake
(PollyBot's, whose 404 and 400 bodies echo the id asked for in ``details.leadId``).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from contracts.engine.context import load_spec, open_run
from contracts.engine.grading import Grader
from contracts.engine.probes import run_guard
from contracts.engine.runner import plan_units, run_unit
from contracts.fakes._core import Defect, DropField, SetValue
from contracts.transport.targets import fake_target
from contracts.values.evidence import Evidence, Level
from contracts.values.findings import Finding, Kind, Location, Severity
from contracts.values.model import Capability, Probe
from contracts.vendors import get_vendor

VENDOR = get_vendor("pollybot")
READ = VENDOR.read_operation
CONTESTED = Evidence(Level.CONTESTED, source="a page", quote="the body names the id")
STATED = Evidence(Level.STATED, source="a page", quote="the body names the id, always")


def probe(expect: dict[str, Any], *, evidence: Evidence | None = None, lead: str = "{unknown_id}") -> Probe:
    return Probe(
        name="expecting",
        operation=READ,
        path_params={"leadId": lead},
        expect_status=404,
        expect=expect,
        evidence=evidence,
    )


def run(checked: Probe, *defects: Defect) -> list[Finding]:
    """Run ``checked`` as the vendor's only probe against its fake (broken by ``defects``); graded findings."""
    vendor = replace(VENDOR, probes=(checked,))
    spec = load_spec(vendor)
    ctx = open_run(vendor, fake_target(vendor.fake(defects=list(defects)), base_url=spec.server_url), spec=spec)
    try:
        run_guard(ctx)
        unit = next(unit for unit in plan_units(vendor, spec) if unit.id == f"probe:{checked.name}")
        return run_unit(ctx, unit).findings
    finally:
        ctx.close()


def expectations(findings: list[Finding]) -> list[Finding]:
    return [f for f in findings if f.kind is Kind.BEHAVIOR_MISMATCH and f.location is Location.BODY]


@pytest.mark.parametrize(
    "expect",
    [
        {"/details/leadId": "{unknown_id}"},
        {"/details/leadId": "{leadId}"},  # the probe's own path parameter, by name
        {"/details/leadId": "lead_nonexistent123", "/code": "LEAD_NOT_FOUND", "/success": False},
    ],
    ids=["run-placeholder", "path-parameter", "literals"],
)
def test_values_the_response_holds_pass(expect):
    assert run(probe(expect)) == []


def test_a_value_that_differs_names_the_pointer_what_was_expected_and_what_came():
    findings = run(
        probe({"/details/leadId": "{leadId}"}),
        SetValue(operation=READ, status=404, pointer="/details/leadId", value="lead_someoneelse"),
    )
    (finding,) = expectations(findings)
    assert (finding.operation, finding.status_code, finding.path) == (READ, 404, "/details/leadId")
    assert finding.expected.startswith('"lead_nonexistent123" for expecting')
    assert finding.observed == '"lead_someoneelse"'
    assert (finding.check, finding.source) == ("probe:expecting", "probe:expecting")
    assert finding.example["url"].endswith("/api/v1/leads/lead_nonexistent123")


def test_a_pointer_the_schema_does_not_cover_and_the_body_lacks_is_reported_absent():
    (finding,) = expectations(run(probe({"/details/reason": "gone"})))
    assert (finding.path, finding.observed) == ("/details/reason", "absent")


def test_a_pointer_the_schema_check_already_faults_is_not_reported_twice():
    findings = run(probe({"/details/leadId": "{leadId}"}), DropField(operation=READ, status=404, pointer="/details"))
    assert expectations(findings) == []
    assert [f.path for f in findings if f.kind is Kind.ERROR_BODY_MISMATCH] == ["/details"]


def test_expectations_are_only_checked_on_the_expected_status():
    findings = run(probe({"/details/leadId": "{leadId}"}, lead="{known_lead_id}"))
    assert expectations(findings) == []
    assert [(f.kind, f.location) for f in findings] == [(Kind.BEHAVIOR_MISMATCH, Location.STATUS)]


@pytest.mark.parametrize(
    ("evidence", "severity"),
    [(STATED, Severity.ERROR), (CONTESTED, Severity.WARNING)],
    ids=["stated", "contested"],
)
def test_an_unmet_expectation_is_graded_by_the_probe_evidence(evidence, severity):
    broken = SetValue(operation=READ, status=404, pointer="/details/leadId", value="lead_someoneelse")
    (finding,) = expectations(run(probe({"/details/leadId": "{leadId}"}, evidence=evidence), broken))
    assert finding.evidence == evidence
    assert finding.severity is severity


def test_without_probe_evidence_an_unmet_expectation_takes_the_spec_evidence_of_its_field():
    broken = SetValue(operation=READ, status=404, pointer="/details/leadId", value="lead_someoneelse")
    (finding,) = expectations(run(probe({"/details/leadId": "{leadId}"}), broken))
    spec = load_spec(VENDOR)
    grader = Grader(spec, VENDOR)
    operation = grader.index.operations[READ]
    assert finding.evidence == grader.index.for_field(operation, operation.responses["404"], "/details/leadId")


def test_a_probe_expecting_the_known_lead_needs_one():
    assert Capability.KNOWN_LEAD in probe({"/details/leadId": "{known_lead_id}"}).needs
    assert Capability.KNOWN_LEAD not in probe({"/details/leadId": "{leadId}"}).needs
