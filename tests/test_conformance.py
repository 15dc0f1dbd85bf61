"""Explicit jsonschema checks of known responses against the spec: every error a finding with its kind and pointer."""

from __future__ import annotations

import json
from typing import Any

import pytest

from contracts.conformance import CheckContext, ObservedResponse, check_response
from contracts.context import load_spec
from contracts.fakes._core import FakeRequest
from contracts.fakes.nexor import NexorFake
from contracts.findings import Kind, Location, Severity
from contracts.spec import FORMAT_CHECKER
from contracts.vendors import get_vendor

NEXOR = get_vendor("nexor")
SPEC = load_spec(NEXOR)
READ = SPEC.operation("GET /leads/{id}")


def check(body: Any, *, status: int = 200, content_type: str = "application/json", expect_schema: str | None = None):
    ctx = CheckContext(vendor="nexor", spec=SPEC, operation=READ, source="test", example={})
    content = body if isinstance(body, bytes) else json.dumps(body).encode()
    response = ObservedResponse(status, {"content-type": content_type}, content)
    return check_response(ctx, response, expect_schema=expect_schema)


def lead(**changes: Any) -> dict[str, Any]:
    """The fake's known lead as the fake serves it, with ``changes`` applied."""
    fake = NexorFake()
    request = FakeRequest(
        method="GET", path=f"/leads/{fake.known_lead_id}", headers={"x-api-key": fake.api_key}, query={}
    )
    body: dict[str, Any] = fake.handle(request).body
    body.update(changes)
    return body


def test_the_known_lead_conforms():
    assert check(lead()) == []


def test_a_bad_date_time_fails_so_formats_are_really_checked():
    assert "date-time" in FORMAT_CHECKER.checkers, "jsonschema[format-nongpl] (rfc3339-validator) is missing"
    (finding,) = check(lead(created_at="2024-01-01 10:00"))
    assert (finding.kind, finding.path, finding.observed) == (Kind.FORMAT_MISMATCH, "/created_at", '"2024-01-01 10:00"')
    assert finding.expected == 'format "date-time"'


@pytest.mark.parametrize(
    ("changes", "kind", "path", "expected"),
    [
        ({"id": "lead_1ed7d637"}, Kind.FORMAT_MISMATCH, "/id", 'format "uuid"'),
        ({"email": "a@"}, Kind.FORMAT_MISMATCH, "/email", 'format "email"'),
        ({"first_name": None}, Kind.UNEXPECTED_NULL, "/first_name", 'type "string" (not nullable)'),
        ({"first_name": 42}, Kind.TYPE_MISMATCH, "/first_name", 'type "string"'),
        ({"metadata": []}, Kind.TYPE_MISMATCH, "/metadata", 'type "object"'),
        ({"campaign": {"id": "nope", "name": "Q1"}}, Kind.FORMAT_MISMATCH, "/campaign/id", 'format "uuid"'),
        (
            {"activeWorkflowRun": {"id": "3d2c1b0a-9f8e-4d7c-b6a5-948372615048"}},
            Kind.MISSING_FIELD,
            "/activeWorkflowRun/workflow_id",
            "a 'workflow_id' member (required)",
        ),
    ],
    ids=["uuid", "email", "null", "type", "object-type", "nested-nullable-object", "nested-required"],
)
def test_each_error_becomes_a_finding_with_its_kind_and_pointer(changes, kind, path, expected):
    findings = check(lead(**changes))
    assert (findings[0].kind, findings[0].path, findings[0].expected) == (kind, path, expected)
    assert findings[0].severity is Severity.ERROR
    assert findings[0].operation == "GET /leads/{id}"
    assert findings[0].status_code == 200


def test_a_missing_required_field_is_named_by_its_pointer():
    body = lead()
    del body["source"]
    (finding,) = check(body)
    assert (finding.kind, finding.path, finding.observed) == (Kind.MISSING_FIELD, "/source", "absent")


def test_every_error_is_reported_not_just_the_first():
    findings = check(lead(id="x", email="y", created_at="z"))
    assert {f.path for f in findings} == {"/id", "/email", "/created_at"}


@pytest.mark.parametrize(
    ("status", "body", "schema", "findings"),
    [
        (404, {"error": "Lead not found"}, None, []),
        (404, {"error": "Not found"}, None, [(Kind.ERROR_BODY_MISMATCH, "/error")]),
        (401, {"error": "Missing API key", "message": "x"}, "#/components/schemas/MissingApiKeyError", []),
        (
            401,
            {"error": "Invalid API key", "message": "x"},
            "#/components/schemas/MissingApiKeyError",
            [(Kind.ERROR_BODY_MISMATCH, "/error")],
        ),
        (
            401,
            {"error": "Invalid API key"},
            "#/components/schemas/InvalidApiKeyError",
            [(Kind.ERROR_BODY_MISMATCH, "/message")],
        ),
    ],
    ids=["404", "404-wrong", "401-missing", "401-missing-expected-got-invalid", "401-no-message"],
)
def test_error_bodies(status, body, schema, findings):
    assert [(f.kind, f.path) for f in check(body, status=status, expect_schema=schema)] == findings


def test_an_undocumented_status_and_a_wrong_content_type():
    (undocumented,) = check({"error": "teapot"}, status=418)
    assert (undocumented.kind, undocumented.location, undocumented.observed) == (
        Kind.UNDOCUMENTED_STATUS,
        Location.STATUS,
        "418",
    )
    assert "200, 401, 404, 500" in undocumented.expected
    (wrong_type,) = check(lead(), content_type="text/html")
    assert (wrong_type.kind, wrong_type.path, wrong_type.observed) == (
        Kind.CONTENT_TYPE_MISMATCH,
        "/content-type",
        "text/html",
    )


def test_a_body_that_is_not_json_despite_its_content_type():
    (finding,) = check(b"<html>", status=200)
    assert finding.kind is Kind.CONTENT_TYPE_MISMATCH
    assert finding.expected == "a JSON document, as the Content-Type says"


def test_a_documented_status_without_a_body_is_not_checked_further():
    assert check(b"", status=500, content_type="") == []
