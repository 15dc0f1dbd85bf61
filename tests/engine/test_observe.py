"""Drift observations: found by walking observed bodies and headers alongside the spec (Acme's, made up)."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from contracts.engine.context import load_spec
from contracts.engine.observe import observe as observe_analysed
from contracts.transport.client import analyse
from contracts.values.findings import Kind, Location, Severity
from tests.fixtures.acme import ACME, KNOWN_LEAD
from tests.fixtures.exchanges import recorded_exchange

SPEC = load_spec(ACME)

LEAD: dict[str, Any] = copy.deepcopy(KNOWN_LEAD)  # every documented member, each with a value


def exchange(
    body: Any, *, status: int = 200, headers: dict[str, str] | None = None, operation: str = "GET /leads/{id}"
):
    return recorded_exchange(body, status=status, headers=headers, operation=operation)


def observe(vendor: str, spec, exchanges):
    """The observer over ``exchanges`` analysed as ``finish`` analyses them."""
    return observe_analysed(vendor, spec, analyse(spec, exchanges))


def kinds(findings):
    return {(f.kind, f.location, f.path) for f in findings}


def test_a_conforming_body_gives_no_observation():
    assert observe("acme", SPEC, [exchange(LEAD)]) == []


def test_undocumented_fields_are_reported_at_any_depth_with_their_type():
    body = copy.deepcopy(LEAD)
    body["internal_score"] = 0.93
    body["campaign"]["budget"] = {"currency": "USD"}
    findings = observe("acme", SPEC, [exchange(body)])
    assert kinds(findings) == {
        (Kind.UNDOCUMENTED_FIELD, Location.BODY, "/internal_score"),
        (Kind.UNDOCUMENTED_FIELD, Location.BODY, "/campaign/budget"),
    }
    by_path = {f.path: f for f in findings}
    assert by_path["/internal_score"].observed == "number 0.93"
    assert by_path["/campaign/budget"].observed.startswith("object ")
    assert all(f.severity is Severity.INFO and not f.is_contract_failure for f in findings)


def test_keys_of_free_form_maps_are_never_undocumented():
    body = copy.deepcopy(LEAD)
    body["metadata"] = {"whatever": 1, "else": [1, 2]}
    assert observe("acme", SPEC, [exchange(body)]) == []


def test_values_beyond_the_known_ones_are_drift_not_failures():
    body = copy.deepcopy(LEAD)
    body["run"]["status"] = "paused"
    (finding,) = observe("acme", SPEC, [exchange(body)])
    assert (finding.kind, finding.path, finding.severity) == (Kind.ENUM_MISMATCH, "/run/status", Severity.WARNING)
    assert finding.observed == '"paused"'
    assert "running" in finding.expected


def test_new_headers_and_deprecation_notices():
    headers = {"x-request-id": "abc", "deprecation": "true", "sunset": "Wed, 01 Jul 2026 00:00:00 GMT", "date": "x"}
    findings = observe("acme", SPEC, [exchange(LEAD, headers=headers)])
    assert kinds(findings) == {
        (Kind.UNDOCUMENTED_FIELD, Location.HEADER, "/x-request-id"),
        (Kind.DEPRECATION, Location.HEADER, "/deprecation"),
        (Kind.DEPRECATION, Location.HEADER, "/sunset"),
    }
    assert {f.severity for f in findings if f.kind is Kind.DEPRECATION} == {Severity.WARNING}


CORE = ("id", "first_name", "email", "title", "metadata", "created_at")


def created_lead(**changes: Any) -> dict[str, Any]:
    return {key: LEAD[key] for key in CORE} | changes


def test_optional_member_never_present_and_nullable_always_null():
    created = {"success": True, "lead": created_lead(title=None)}
    exchanges = [exchange(created, status=201, operation="POST /leads") for _ in range(3)]
    findings = observe("acme", SPEC, exchanges)
    assert kinds(findings) == {
        (Kind.NEVER_PRESENT, Location.BODY, "/warning"),
        (Kind.NEVER_PRESENT, Location.BODY, "/lead/title"),
    }
    by_path = {f.path: f for f in findings}
    assert by_path["/warning"].observed == "absent from all 3 responses"
    assert by_path["/lead/title"].observed == "null in all 3 responses"
    assert all(f.severity is Severity.INFO for f in findings)


def test_one_response_with_a_value_clears_never_present():
    with_warning = {"success": True, "lead": created_lead(title="B"), "warning": "w"}
    without = {"success": True, "lead": created_lead(title=None)}
    findings = observe(
        "acme",
        SPEC,
        [
            exchange(without, status=201, operation="POST /leads"),
            exchange(with_warning, status=201, operation="POST /leads"),
        ],
    )
    assert findings == []


@pytest.mark.parametrize(
    ("status", "operation"),
    [(418, "GET /leads/{id}"), (200, None)],
    ids=["undocumented-status", "undocumented-operation"],
)
def test_responses_the_checks_own_are_not_observed_twice(status, operation):
    item = exchange(dict(LEAD, extra=1), status=status)
    item.operation = operation
    assert observe("acme", SPEC, [item]) == []


def test_bodies_that_are_not_json_are_skipped():
    item = exchange(LEAD)
    item.content = b"<html>oops</html>"
    assert observe("acme", SPEC, [item]) == []
