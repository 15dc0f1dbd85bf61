"""Explicit jsonschema checks of known responses against the spec: every error a finding with its kind and pointer.

On Acme's spec and fake (tests/fixtures/acme.py), made up for the engine's tests.
"""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

import jsonschema_rs
import pytest
from jsonschema import Draft202012Validator

from contracts.engine.context import load_spec
from contracts.fakes._core import FakeRequest
from contracts.fakes.pollybot import PollyBotFake
from contracts.spec import document as spec_module
from contracts.spec.conformance import CheckContext, ObservedResponse, check_response, wire_value
from contracts.spec.document import FORMAT_CHECKER, Spec
from contracts.values.findings import Finding, Kind, Location, Severity
from contracts.vendors import get_vendor
from tests.fixtures.acme import ACME, AcmeFake

SPEC = load_spec(ACME)
READ = SPEC.operation("GET /leads/{id}")


def check(body: Any, *, status: int = 200, content_type: str = "application/json", expect_schema: str | None = None):
    ctx = CheckContext(vendor="acme", spec=SPEC, operation=READ, source="test", example={})
    content = body if isinstance(body, bytes) else json.dumps(body).encode()
    response = ObservedResponse(status, {"content-type": content_type}, content)
    return check_response(ctx, response, expect_schema=expect_schema)


def lead(**changes: Any) -> dict[str, Any]:
    """The fake's known lead as the fake serves it, with ``changes`` applied."""
    fake = AcmeFake()
    request = FakeRequest(
        method="GET", path=f"/leads/{fake.known_lead_id}", headers={"x-acme-key": fake.api_key}, query={}
    )
    body: dict[str, Any] = fake.handle(request).body
    body.update(changes)
    return body


def test_the_known_lead_conforms():
    assert check(lead()) == []


def test_a_bad_date_time_fails_so_formats_are_really_checked():
    assert "date-time" in FORMAT_CHECKER.checkers, "date-time must be checked, never silently skipped"
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
            {"run": {"id": "3d2c1b0a-9f8e-4d7c-b6a5-948372615048"}},
            Kind.MISSING_FIELD,
            "/run/workflow_id",
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


def test_each_missing_member_is_named_by_its_own_pointer():
    findings = check(lead(run={"id": "3d2c1b0a-9f8e-4d7c-b6a5-948372615048"}))
    assert [f.path for f in findings] == ["/run/workflow_id", "/run/is_active", "/run/status"]


def test_every_error_is_reported_not_just_the_first():
    findings = check(lead(id="x", email="y", created_at="z"))
    assert {f.path for f in findings} == {"/id", "/email", "/created_at"}


@pytest.mark.parametrize(
    ("status", "body", "schema", "findings"),
    [
        (404, {"error": "Lead not found"}, None, []),
        (404, {"error": "Not found"}, None, [(Kind.ERROR_BODY_MISMATCH, "/error")]),
        (401, {"error": "Missing API key", "message": "x"}, "#/components/schemas/MissingKeyError", []),
        (
            401,
            {"error": "Invalid API key", "message": "x"},
            "#/components/schemas/MissingKeyError",
            [(Kind.ERROR_BODY_MISMATCH, "/error")],
        ),
        (
            401,
            {"error": "Invalid API key"},
            "#/components/schemas/InvalidKeyError",
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


# -- the fast path: jsonschema-rs decides, jsonschema explains -----------------------------------


def _lead_schema() -> str:
    pointer = SPEC.response_schema_pointer(READ.responses["200"])
    assert pointer is not None
    return pointer


LEAD_SCHEMA = _lead_schema()


@pytest.mark.parametrize(
    ("field", "value", "conforms"),
    [
        ("id", "123e4567-e89b-12d3-a456-426614174000", True),
        ("id", "123E4567-E89B-12D3-A456-426614174000", True),  # RFC 9562 §4: hex digits in either case
        ("id", "123e4567e89b12d3a456426614174000", False),  # no hyphens
        ("id", "{123e4567-e89b-12d3-a456-426614174000}", False),  # Microsoft's braces
        ("id", "urn:uuid:123e4567-e89b-12d3-a456-426614174000", False),  # a URN naming a UUID, not one
        ("id", "123e4567-e89b-12d3-a456-426614174000}", False),  # uuid.UUID strips it: stock jsonschema accepts
        ("created_at", "2026-02-10T12:00:00", False),  # RFC 3339 wants an offset
        ("created_at", "2026-02-10t12:00:00z", True),  # §5.6 NOTE: "t" and "z" may be lower case
        ("created_at", "2016-12-31T23:59:60Z", True),  # a real leap second: stock jsonschema refuses it
        ("created_at", "2026-02-10T23:59:60Z", False),  # not the end of a month: stock jsonschema-rs accepts
        ("created_at", "2026-02-10T12:00:00Z\n", False),  # stock jsonschema's "$" accepts the newline
        ("created_at", "2026-02-29T12:00:00Z", False),  # 2026 is not a leap year
        ("email", "a@", False),  # stock jsonschema only wants an "@"
        ("email", "@b.co", False),
        ("email", "a@b", True),  # RFC 5321: a one-label domain is a domain
        ("email", "a..b@c.co", False),
    ],
)
def test_both_layers_judge_a_format_alike_and_the_finding_follows(field, value, conforms):
    body = lead(**{field: value})
    assert SPEC.fast_validator(LEAD_SCHEMA).is_valid(body) is conforms
    assert (list(SPEC.validator(LEAD_SCHEMA).iter_errors(body)) == []) is conforms
    expected = [] if conforms else [(Kind.FORMAT_MISMATCH, f"/{field}")]
    assert [(f.kind, f.path) for f in check(body)] == expected


def test_a_conforming_body_never_reaches_the_python_validator(monkeypatch):
    def explain(pointer):
        raise AssertionError(f"the explanation ran for {pointer}")

    monkeypatch.setattr(SPEC, "validator", explain)
    assert check(lead()) == []
    assert check({"error": "Lead not found"}, status=404) == []


@pytest.mark.parametrize(
    ("status", "body", "schema"),
    [
        (200, lead(id="lead_1ed7d637"), None),
        (200, lead(email="a@", created_at="2024-01-01 10:00"), None),
        (200, lead(first_name=None), None),
        (200, lead(first_name=42), None),
        (200, lead(metadata=[]), None),
        (200, lead(campaign={"id": "nope", "name": "Q1"}), None),
        (200, lead(run={"id": "3d2c1b0a-9f8e-4d7c-b6a5-948372615048"}), None),
        (200, {key: value for key, value in lead().items() if key != "source"}, None),
        (404, {"error": "Not found"}, None),
        (401, {"error": "Invalid API key"}, "#/components/schemas/InvalidKeyError"),
    ],
    ids=[
        "uuid",
        "email-and-date-time",
        "null",
        "type",
        "object-type",
        "nullable-object",
        "nested-required",
        "required",
        "404-const",
        "401-required",
    ],
)
def test_jsonschema_rs_errors_make_the_same_findings_as_the_explanation(monkeypatch, status, body, schema):
    """Where only jsonschema-rs sees an error its own error makes the finding: same kind, pointer and texts."""
    explained = check(body, status=status, expect_schema=schema)
    monkeypatch.setattr(SPEC, "validator", lambda pointer: Draft202012Validator(True))  # explains nothing
    from_rs = check(body, status=status, expect_schema=schema)
    assert explained
    assert sorted((f.kind, f.path, f.expected, f.observed) for f in from_rs) == sorted(
        (f.kind, f.path, f.expected, f.observed) for f in explained
    )


POLLYBOT = get_vendor("pollybot")
POLLYBOT_SPEC = load_spec(POLLYBOT)


POLLYBOT_LIMITS = {
    "x-ratelimit-limit": "1000",
    "x-ratelimit-remaining": "999",
    "x-ratelimit-reset": "1800000000",
    "x-ratelimit-used": "1",
}
"""The rate-limit headers PollyBot documents on every response, as its fake sends them."""


def check_pollybot(body: Any, *, status: int = 200, headers: dict[str, str] | None = None) -> list[Finding]:
    operation = POLLYBOT_SPEC.operation("GET /api/v1/leads/{leadId}")
    ctx = CheckContext(vendor="pollybot", spec=POLLYBOT_SPEC, operation=operation, source="test", example={})
    sent = {"content-type": "application/json", **(POLLYBOT_LIMITS if headers is None else headers)}
    response = ObservedResponse(status, sent, json.dumps(body).encode())
    return check_response(ctx, response)


def pollybot_lead(**changes: Any) -> dict[str, Any]:
    fake = PollyBotFake()
    request = FakeRequest(
        method="GET",
        path=f"/api/v1/leads/{fake.known_lead_id}",
        headers={"authorization": f"Bearer {fake.api_key}"},
        query={},
    )
    body: dict[str, Any] = fake.handle(request).body
    body["data"].update(changes)
    return body


def test_an_error_only_jsonschema_rs_sees_is_not_lost():
    """ECMA-262's "$" (JSON Schema's regex dialect) ends the input; Python's also matches before a final newline."""
    body = lead(ref="lead_1234567890abcdef\n")
    assert list(SPEC.validator(LEAD_SCHEMA).iter_errors(body)) == []
    (finding,) = check(body)
    assert (finding.kind, finding.path, finding.expected) == (
        Kind.FORMAT_MISMATCH,
        "/ref",
        'pattern "^lead_[A-Za-z0-9]+$"',
    )
    assert check(lead()) == []


def test_an_error_only_jsonschema_rs_sees_is_kept_beside_the_explained_ones():
    findings = check(lead(ref="lead_1234567890abcdef\n", email="a@", stage="archived"))
    assert [(f.kind, f.path) for f in findings] == [
        (Kind.FORMAT_MISMATCH, "/email"),
        (Kind.ENUM_MISMATCH, "/stage"),
        (Kind.FORMAT_MISMATCH, "/ref"),
    ]


# -- documented headers: required ones present, every one valid against its schema ---------------------------


def without(name: str) -> dict[str, str]:
    return {header: value for header, value in POLLYBOT_LIMITS.items() if header != name}


@pytest.mark.parametrize("status", [200, 400, 401, 404, 429])
@pytest.mark.parametrize("name", sorted(POLLYBOT_LIMITS))
def test_a_missing_required_header_is_named_by_its_pointer_on_every_documented_response(name, status):
    body = pollybot_lead() if status == 200 else {"success": False, "error": "x", "code": "RATE_LIMIT_EXCEEDED"}
    findings = [f for f in check_pollybot(body, status=status, headers=without(name)) if f.location == "header"]
    assert [(f.kind, f.location, f.path, f.observed, f.status_code) for f in findings] == [
        (Kind.MISSING_FIELD, Location.HEADER, f"/{name}", "absent", status)
    ]
    assert findings[0].check == "response_headers_conformance"
    assert findings[0].expected == "the header, which the spec marks required"


@pytest.mark.parametrize(
    ("value", "conforms"),
    [
        ("1000", True),
        ("0", True),
        ("-1", True),  # the schema says integer, nothing more
        ("lots", False),
        ("1000.0", False),  # 1000.0 is a number, not an integer, on the wire
        ("1.5", False),
        (" 1000", False),  # as schemathesis reads header text: padding is not an integer
        ("1_000", False),
        ("", False),
    ],
)
def test_a_header_value_is_checked_against_its_schema(value, conforms):
    findings = check_pollybot(pollybot_lead(), headers={**POLLYBOT_LIMITS, "x-ratelimit-limit": value})
    expected = [] if conforms else [(Kind.TYPE_MISMATCH, Location.HEADER, "/x-ratelimit-limit", 'type "integer"')]
    assert [(f.kind, f.location, f.path, f.expected) for f in findings] == expected
    if not conforms:
        assert findings[0].observed == json.dumps(value)
        assert findings[0].check == "response_headers_conformance"


@pytest.mark.parametrize(
    ("text", "types", "value"),
    [
        ("5", ("integer",), 5),
        ("5", ("string",), "5"),
        ("5", (), "5"),
        ("5.5", ("number",), 5.5),
        ("5.5", ("integer",), "5.5"),
        ("null", ("integer", "null"), None),
        ("true", ("boolean",), True),
        ("٥", ("integer",), "٥"),  # an Arabic-Indic digit: int() reads it, a server does not
    ],
)
def test_wire_value_reads_header_text_as_its_schema_types(text, types, value):
    assert wire_value(text, types) == value


def test_each_schema_is_compiled_once_and_nothing_is_resolved_per_response(monkeypatch):
    """N checks, of conforming and broken bodies alike: one jsonschema-rs compile per schema pointer, one
    jsonschema compile per pointer that had something to explain, and no spec lookups once warm."""
    spec = Spec.load(ACME.spec_path)
    fast_compiles: Counter[str] = Counter()
    explainer_compiles: Counter[str] = Counter()
    lookups: list[str] = []
    real_fast, real_explainer, real_lookup = (
        jsonschema_rs.Draft202012Validator,
        Draft202012Validator,
        spec._resolver_lookup,
    )

    def compile_fast(schema, **kwargs):
        fast_compiles[schema["$ref"]] += 1
        return real_fast(schema, **kwargs)

    def compile_explainer(schema, **kwargs):
        explainer_compiles[schema["$ref"]] += 1
        return real_explainer(schema, **kwargs)

    def lookup(pointer):
        lookups.append(pointer)
        return real_lookup(pointer)

    monkeypatch.setattr(jsonschema_rs, "Draft202012Validator", compile_fast)
    monkeypatch.setattr(spec_module, "Draft202012Validator", compile_explainer)
    monkeypatch.setattr(spec, "_resolver_lookup", lookup)
    ctx = CheckContext(vendor="acme", spec=spec, operation=spec.operation("GET /leads/{id}"), source="test", example={})
    responses = [
        (200, lead()),
        (200, lead(email="a@")),
        (404, {"error": "Lead not found"}),
        (404, {"error": "Not found"}),
        (401, {"error": "Missing API key", "message": "x"}),
        (500, None),
    ]

    def check_all(times: int) -> None:
        for _ in range(times):
            for status, body in responses:
                content = b"" if body is None else json.dumps(body).encode()
                check_response(ctx, ObservedResponse(status, {"content-type": "application/json"}, content))

    check_all(1)
    warm_lookups = len(lookups)
    check_all(50)
    assert len(lookups) == warm_lookups
    assert sorted(fast_compiles.values()) == [1, 1, 1]  # the 200, 404 and 401 schemas
    assert sorted(explainer_compiles.values()) == [1, 1]  # the 200 and 404 schemas, which saw broken bodies
    assert ctx.spec.fast_validator(LEAD_SCHEMA) is ctx.spec.fast_validator(LEAD_SCHEMA)
