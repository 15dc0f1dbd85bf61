"""Probe expectations (``Probe.expect``): body values a probe's response must hold, beyond its schema.

On Acme, a made-up vendor (tests/fixtures/acme.py): the engine knows no vendor. Its fake reads the lead
``6f1c2a9e-...`` (``first_name`` "Ada") and answers an unknown id with 404 ``{"error": "Lead not found"}``.
"""

from __future__ import annotations

import copy
from dataclasses import replace
from typing import Any

import pytest

from contracts.engine.context import load_spec, open_run
from contracts.engine.grading import Grader
from contracts.engine.probes import run_guard
from contracts.engine.runner import plan_units, run_unit
from contracts.fakes._core import Defect, DropField, SetValue
from contracts.spec.document import Spec
from contracts.transport.targets import fake_target
from contracts.values.evidence import Evidence, Level
from contracts.values.findings import Finding, Kind, Location, Severity
from contracts.values.model import Capability, Probe
from tests.fixtures.acme import ACME, KNOWN_LEAD, READ

OTHER_ID = "0b7d3c2a-1e4f-4a5b-8c6d-7e8f9a0b1c2d"
"""A well-formed id of no lead the probe asked for."""


def probe(expect: dict[str, Any], *, lead: str = "{known_lead_id}", status: int = 200, **fields: Any) -> Probe:
    return Probe(
        name="expecting", operation=READ, path_params={"id": lead}, expect_status=status, expect=expect, **fields
    )


def run(checked: Probe, *defects: Defect) -> list[Finding]:
    """Run ``checked`` as Acme's only probe against its fake (broken by ``defects``): the graded findings."""
    vendor = replace(ACME, probes=(checked,))
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
    "checked",
    [
        probe({"/id": "{known_lead_id}"}),
        probe({"/id": "{id}"}),  # the probe's own path parameter, by name
        probe({"/first_name": "Ada", "/metadata": KNOWN_LEAD["metadata"], "/run/is_active": True}),
        probe({"/error": "Lead not found"}, lead="{unknown_id}", status=404),
    ],
    ids=["run-placeholder", "path-parameter", "literals", "error-body"],
)
def test_a_response_that_holds_the_expected_values_passes(checked):
    assert run(checked) == []


def test_a_member_the_body_lacks_is_left_to_the_schema():
    """Only values are compared: ``ref`` is optional in the schema, ``nickname`` not in it at all."""
    checked = probe({"/ref": "lead_other", "/nickname": "Ada"})
    assert run(checked, DropField(operation=READ, status=200, pointer="/ref")) == []


def test_a_value_that_differs_names_the_pointer_what_was_expected_and_what_came():
    findings = run(probe({"/id": "{id}"}), SetValue(operation=READ, status=200, pointer="/id", value=OTHER_ID))
    (finding,) = findings  # the body is valid: only the expectation is broken
    assert (finding.kind, finding.location) == (Kind.BEHAVIOR_MISMATCH, Location.BODY)
    assert (finding.operation, finding.status_code, finding.path) == (READ, 200, "/id")
    assert finding.expected == f'"{KNOWN_LEAD["id"]}" for expecting'
    assert finding.observed == f'"{OTHER_ID}"'
    assert (finding.check, finding.source) == ("probe:expecting", "probe:expecting")
    assert finding.example["url"].endswith(f"/leads/{KNOWN_LEAD['id']}")
    assert finding.severity is Severity.ERROR  # no evidence written anywhere: as checked


@pytest.mark.parametrize(
    ("defect", "faulted"),
    [
        (SetValue(operation=READ, status=200, pointer="/id", value=5), "/id"),
        (DropField(operation=READ, status=200, pointer="/campaign"), "/campaign"),
    ],
    ids=["mistyped", "parent-missing"],
)
def test_a_pointer_the_schema_check_already_faults_is_not_reported_twice(defect, faulted):
    findings = run(probe({"/id": "{id}", "/campaign/name": "Q1 Campaign"}), defect)
    assert expectations(findings) == []
    assert [f.path for f in findings] == [faulted]


def test_expectations_are_only_checked_on_the_expected_status():
    findings = run(probe({"/error": "Lead not found"}, lead="{known_lead_id}", status=404))
    assert [(f.kind, f.location) for f in findings] == [(Kind.BEHAVIOR_MISMATCH, Location.STATUS)]


def test_a_probe_expecting_the_known_lead_needs_one():
    assert Capability.KNOWN_LEAD in probe({"/id": "{known_lead_id}"}, lead="{unknown_id}").needs
    assert Capability.KNOWN_LEAD not in probe({"/error": "Lead not found"}, lead="{unknown_id}").needs


# -- grading: the probe's evidence, else the spec's for the field ---------------------------------------------

FIELD = Evidence(Level.CONTESTED, source="acme page", quote="id: the lead's id, maybe")


def graded(checked: Probe) -> Finding:
    raw = copy.deepcopy(load_spec(ACME).raw)
    raw["components"]["schemas"]["LeadCore"]["properties"]["id"]["x-evidence"] = FIELD.to_json()
    grader = Grader(Spec(raw, source="acme.yaml"), replace(ACME, probes=(checked,)))
    finding = Finding(
        vendor="acme",
        operation=READ,
        status_code=200,
        kind=Kind.BEHAVIOR_MISMATCH,
        severity=Severity.ERROR,
        path="/id",
        location=Location.BODY,
        expected=f'"{KNOWN_LEAD["id"]}" for expecting',
        observed=f'"{OTHER_ID}"',
        check="probe:expecting",
        source="probe:expecting",
    )
    return grader.grade(finding)


@pytest.mark.parametrize(
    ("level", "severity"),
    [(Level.STATED, Severity.ERROR), (Level.SHOWN, Severity.ERROR), (Level.INFERRED, Severity.WARNING)],
)
def test_an_unmet_expectation_is_graded_by_the_probe_evidence(level, severity):
    evidence = Evidence(level, source="acme page", quote="Read a lead by its id")
    finding = graded(probe({"/id": "{id}"}, evidence=evidence))
    assert (finding.evidence, finding.severity) == (evidence, severity)


def test_without_probe_evidence_an_unmet_expectation_takes_the_spec_evidence_of_its_field():
    finding = graded(probe({"/id": "{id}"}))
    assert (finding.evidence, finding.severity) == (FIELD, Severity.WARNING)
