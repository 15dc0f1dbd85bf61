"""The four hand-written vendor specs are valid OpenAPI 3.1 and faithful to the docs and to issue #2's rules."""

from __future__ import annotations

import copy
import itertools
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonpointer
import pytest
from jsonschema.exceptions import ValidationError

from contracts.engine.context import load_spec
from contracts.spec.document import Spec
from contracts.values.errors import SpecError
from contracts.values.model import Vendor
from contracts.vendors import VENDORS, get_vendor

VENDOR_DOCS = Path(__file__).resolve().parents[1].parent / "shared" / "vendor-docs"
"""The docs the specs are written from (``../shared/vendor-docs`` next to the repository, see specs/README.md)."""

PRIMARY_PAGES = {
    "nexor": ("seeds/000_e8c0a8ffe923a307.txt", "seeds/003_d136e3b764ea1e2d.txt"),
    "pollybot": ("seeds/001_cd12364042984b04.txt",),
    "dialnexa": ("seeds/002_9b11b90faadff0f6.txt",),
    "aura": ("seeds/004_1d5737af99dcfaff.txt",),
}
# Operations issue 10 added from the vendor's other pages (research-notes.md), which are not in seeds/.
OPERATION_PAGES = {
    "nexor": (
        "https://docs.getnexor.ai/docs/leads/update-lead",
        "https://docs.getnexor.ai/docs/leads/patch-lead",
        "https://docs.getnexor.ai/docs/leads/patch-tags",
        "https://docs.getnexor.ai/docs/es/api/leads/set-status",
    ),
    # PollyBot's create, list, update and delete pages, known from research-notes §2 (which quotes them).
    "pollybot": (
        "https://pollybot.app/docs/api-endpoints/leads/create",
        "https://pollybot.app/docs/api-endpoints/leads/list",
        "https://pollybot.app/docs/api-endpoints/leads/update",
        "https://pollybot.app/docs/api-endpoints/leads/delete",
    ),
    # DialNexa's campaign-lead pages (Mintlify only) and its published OpenAPI (the workflow leads).
    "dialnexa": (
        "https://dialnexa.mintlify.app/api-reference/campaign-leads/create",
        "https://dialnexa.mintlify.app/api-reference/campaign-leads/update",
        "https://dialnexa.mintlify.app/api-reference/campaign-leads/delete",
        "https://dialnexa.mintlify.app/api-reference/campaign-leads/upload",
        "api-evangelist/dialnexa",
    ),
    # Aura's list, create and update pages, known from research-notes §4 (which quotes them).
    "aura": (
        "https://docs.api.aura-app.ai/openapi/v1/leads/get",
        "https://docs.api.aura-app.ai/openapi/v1/leads/post",
        "https://docs.api.aura-app.ai/openapi/v1/leads/id/patch",
    ),
}
"""The pages beyond the primary ones that an operation of the spec is written from (its x-doc-source)."""

UUID_1 = "6f1c2a9e-4b7d-4e3a-9c1f-2d8e7b6a5c4d"
UUID_2 = "0b7d3c2a-1e4f-4a5b-8c6d-7e8f9a0b1c2d"
UUID_3 = "5f0c6d1e-8a4b-4c1d-9e2f-3a4b5c6d7e8f"


def spec_of(vendor: Vendor | str) -> Spec:
    """The spec every test and run in this process shares (never change it)."""
    return load_spec(get_vendor(vendor) if isinstance(vendor, str) else vendor)


def walk(node: Any, parts: tuple[str | int, ...] = ()) -> Iterator[tuple[str, Any]]:
    """Every node of a document with its JSON pointer."""
    yield "".join(f"/{str(p).replace('~', '~0').replace('/', '~1')}" for p in parts), node
    if isinstance(node, dict):
        for key, value in node.items():
            yield from walk(value, (*parts, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from walk(value, (*parts, index))


def discrepancies(spec: Spec) -> list[dict[str, Any]]:
    return [
        entry for _, node in walk(spec.raw) if isinstance(node, dict) for entry in node.get("x-doc-discrepancy", [])
    ]


def all_errors(errors: Iterator[ValidationError]) -> Iterator[ValidationError]:
    """Errors and, for anyOf/oneOf failures, the errors of each branch."""
    for error in errors:
        yield error
        yield from all_errors(iter(error.context or ()))


def format_errors(spec: Spec, schema: str, instance: Any) -> set[tuple[str, str]]:
    errors = all_errors(spec.validator(schema).iter_errors(instance))
    return {
        ("".join(f"/{p}" for p in error.absolute_path), str(error.validator_value))
        for error in errors
        if error.validator == "format"
    }


def errors_of(spec: Spec, schema: str, instance: Any) -> list[str]:
    return sorted(f"{e.json_path}: {e.message}" for e in spec.validator(schema).iter_errors(instance))


VENDOR_PARAMS = [pytest.param(vendor, id=vendor.name) for vendor in VENDORS]


# -- the document itself --------------------------------------------------------------------------


@pytest.mark.parametrize("vendor", VENDOR_PARAMS)
def test_spec_validates_and_every_ref_resolves(vendor):
    spec = Spec.load(vendor.spec_path)  # meta-schema validation and $ref resolution
    assert spec.raw["openapi"] == "3.1.0"
    refs = list(spec.iter_refs())
    assert refs != []
    for pointer, ref in refs:
        assert ref.startswith("#/"), f"{pointer}: only local $refs are expected, found {ref}"
        assert isinstance(spec.resolve_pointer(ref), dict), f"{pointer}: {ref}"
        assert jsonpointer.resolve_pointer(spec.raw, ref[1:]) is not None


SERVER_AND_SECURITY = [
    pytest.param(
        "nexor",
        "https://api.getnexor.ai/api/public",
        "ApiKeyAuth",
        {"type": "apiKey", "in": "header", "name": "X-API-Key"},
        {"X-API-Key": "k"},
        id="nexor",
    ),
    pytest.param(
        "pollybot",
        "https://your-domain.com",
        "BearerAuth",
        {"type": "http", "scheme": "bearer"},
        {"Authorization": "Bearer k"},
        id="pollybot",
    ),
    pytest.param(
        "dialnexa",
        "https://api.dialnexa.com/v1",
        "BearerAuth",
        {"type": "http", "scheme": "bearer"},
        {"Authorization": "Bearer k"},
        id="dialnexa",
    ),
    pytest.param(
        "aura",
        "https://api.aura-app.ai",
        "BearerAuth",
        {"type": "http", "scheme": "bearer"},
        {"Authorization": "Bearer k"},
        id="aura",
    ),
]


@pytest.mark.parametrize(("name", "url", "scheme", "definition", "headers"), SERVER_AND_SECURITY)
def test_server_and_security(name, url, scheme, definition, headers):
    spec = spec_of(name)
    vendor = get_vendor(name)
    assert spec.raw["servers"][0]["url"] == url
    assert spec.server_url == url
    assert spec.raw["security"] == [{scheme: []}]
    assert vendor.security_scheme == scheme
    assert spec.security_scheme(scheme).items() >= definition.items()
    assert spec.credential_headers(scheme, "k") == headers
    assert {op.security_schemes for op in spec.operations} == {(scheme,)}


OPERATIONS = [
    pytest.param(
        "nexor",
        {
            "GET /leads/{id}": "200 400 401 404 500",
            "POST /leads": "200 201 400 401",
            "PUT /leads/{id}": "200 400 401 404 500",
            "PATCH /leads/{id}": "200 400 401 404 500",
            "PUT /leads/tags": "200 400 401 404",
            "POST /leads/{id}/status": "200 400 401 404",
        },
        id="nexor",
    ),
    pytest.param(
        "pollybot",
        {
            "GET /api/v1/leads/{leadId}": "200 400 401 404 429",
            "PUT /api/v1/leads/{leadId}": "200 400 401 404 429",
            "DELETE /api/v1/leads/{leadId}": "200 400 401 404 429",
            "GET /api/v1/leads": "200 400 401 429",
            "POST /api/v1/chatbots/{chatbotId}/leads": "201 400 401 404 429",
        },
        id="pollybot",
    ),
    pytest.param(
        "dialnexa",
        {
            "GET /campaigns-leads/{id}": "200 401 403 404 429",
            "PATCH /campaigns-leads/{id}": "200 400 401 403 404 409 429",
            "DELETE /campaigns-leads/{id}": "200 401 403 404 409 429",
            "POST /campaigns-leads": "201 400 401 403 404 429",
            "POST /campaigns-leads/upload-file/{campaignId}": "201 400 401 403 404 429",
            "GET /workflows/{workflowId}/leads": "200 401 403 404 429 500",
            "POST /workflows/{workflowId}/leads": "201 400 401 403 404 429 500",
            "GET /workflows/{workflowId}/leads/variable-keys": "200 401 403 404 429 500",
            "DELETE /workflows/{workflowId}/leads/{id}": "200 401 403 404 429 500",
            "GET /workflows/{workflowId}/leads/{id}/history": "200 401 403 404 429 500",
        },
        id="dialnexa",
    ),
    pytest.param(
        "aura",
        {
            "GET /v1/leads/{id}": "200 400 401 404 429",
            "GET /v1/leads": "200 400 401 429",
            "POST /v1/leads": "200 201 400 401 429",
            "PATCH /v1/leads/{id}": "200 400 401 404 429",
        },
        id="aura",
    ),
]


@pytest.mark.parametrize(("name", "operations"), OPERATIONS)
def test_operations_and_their_documented_statuses(name, operations):
    spec = spec_of(name)
    assert {op.label: " ".join(op.documented_statuses) for op in spec.operations} == operations
    for op in spec.operations:
        raw = spec.resolve_pointer(op.pointer)
        assert raw["operationId"] == op.operation_id
        assert raw["x-doc-source"].split(" ")[0] in (*PRIMARY_PAGES[name], *OPERATION_PAGES.get(name, ()))
    assert get_vendor(name).read_operation in operations


@pytest.mark.parametrize(
    ("name", "label", "parameter", "fmt"),
    [
        pytest.param("nexor", "GET /leads/{id}", "id", "uuid", id="nexor"),
        pytest.param("aura", "GET /v1/leads/{id}", "id", "uuid", id="aura"),
        pytest.param("pollybot", "GET /api/v1/leads/{leadId}", "leadId", None, id="pollybot"),
        pytest.param("dialnexa", "GET /campaigns-leads/{id}", "id", None, id="dialnexa"),
    ],
)
def test_path_parameter_formats(name, label, parameter, fmt):
    spec = spec_of(name)
    operation = spec.operation(label)
    assert operation.path_parameters == (parameter,)
    (param,) = spec.resolve_pointer(operation.pointer)["parameters"]
    assert (param["name"], param["in"], param["required"]) == (parameter, "path", True)
    assert param["schema"].get("format") == fmt


# -- documented responses and bodies --------------------------------------------------------------

# (vendor, operation, status, body on the primary page?)
DOCUMENTED_BODIES = [
    ("nexor", "GET /leads/{id}", "200", True),
    ("nexor", "GET /leads/{id}", "400", False),
    ("nexor", "GET /leads/{id}", "401", False),
    ("nexor", "GET /leads/{id}", "404", True),
    ("nexor", "POST /leads", "200", True),
    ("nexor", "POST /leads", "201", True),
    ("nexor", "POST /leads", "400", False),
    ("nexor", "POST /leads", "401", False),
    ("nexor", "PATCH /leads/{id}", "400", False),
    ("nexor", "PATCH /leads/{id}", "401", False),
    ("nexor", "PATCH /leads/{id}", "404", False),
    ("nexor", "PUT /leads/{id}", "404", False),
    ("nexor", "PUT /leads/tags", "400", False),
    ("nexor", "PUT /leads/tags", "404", False),
    ("nexor", "POST /leads/{id}/status", "401", False),
    ("nexor", "POST /leads/{id}/status", "404", False),
    ("pollybot", "GET /api/v1/leads/{leadId}", "200", True),
    ("pollybot", "GET /api/v1/leads/{leadId}", "400", True),
    ("pollybot", "GET /api/v1/leads/{leadId}", "401", False),
    ("pollybot", "GET /api/v1/leads/{leadId}", "404", True),
    ("pollybot", "GET /api/v1/leads/{leadId}", "429", False),
    # The create, list, update and delete pages (research-notes §2) give their success bodies, no error body.
    ("pollybot", "PUT /api/v1/leads/{leadId}", "200", True),
    ("pollybot", "PUT /api/v1/leads/{leadId}", "400", False),
    ("pollybot", "PUT /api/v1/leads/{leadId}", "401", False),
    ("pollybot", "PUT /api/v1/leads/{leadId}", "404", False),
    ("pollybot", "PUT /api/v1/leads/{leadId}", "429", False),
    ("pollybot", "DELETE /api/v1/leads/{leadId}", "200", True),
    ("pollybot", "DELETE /api/v1/leads/{leadId}", "400", False),
    ("pollybot", "DELETE /api/v1/leads/{leadId}", "401", False),
    ("pollybot", "DELETE /api/v1/leads/{leadId}", "404", False),
    ("pollybot", "DELETE /api/v1/leads/{leadId}", "429", False),
    ("pollybot", "GET /api/v1/leads", "200", True),
    ("pollybot", "GET /api/v1/leads", "400", False),
    ("pollybot", "GET /api/v1/leads", "401", False),
    ("pollybot", "GET /api/v1/leads", "429", False),
    ("pollybot", "POST /api/v1/chatbots/{chatbotId}/leads", "201", True),
    ("pollybot", "POST /api/v1/chatbots/{chatbotId}/leads", "400", False),
    ("pollybot", "POST /api/v1/chatbots/{chatbotId}/leads", "401", False),
    ("pollybot", "POST /api/v1/chatbots/{chatbotId}/leads", "404", False),
    ("pollybot", "POST /api/v1/chatbots/{chatbotId}/leads", "429", False),
    ("dialnexa", "GET /campaigns-leads/{id}", "200", True),
    ("dialnexa", "GET /campaigns-leads/{id}", "401", False),
    ("dialnexa", "GET /campaigns-leads/{id}", "403", False),
    ("dialnexa", "GET /campaigns-leads/{id}", "404", False),
    ("dialnexa", "GET /campaigns-leads/{id}", "429", False),
    ("aura", "GET /v1/leads/{id}", "200", True),
    ("aura", "GET /v1/leads/{id}", "400", False),
    ("aura", "GET /v1/leads/{id}", "401", False),
    ("aura", "GET /v1/leads/{id}", "404", True),
    ("aura", "GET /v1/leads/{id}", "429", False),
]


def inferred_marks(spec: Spec, pointer: str) -> list[tuple[Any, Any]]:
    """``(x-inferred, x-inferred-reason)`` of a response and of the schema its JSON body refers to."""
    response = spec.resolve_pointer(pointer)
    marks = [(response.get("x-inferred"), response.get("x-inferred-reason"))]
    schema = response.get("content", {}).get("application/json", {}).get("schema", {})
    schema = spec.resolve_pointer(schema["$ref"]) if "$ref" in schema else schema
    marks.append((schema.get("x-inferred"), schema.get("x-inferred-reason")))
    return [mark for mark in marks if mark != (None, None)]


@pytest.mark.parametrize(
    ("name", "label", "status", "on_primary_page"),
    [pytest.param(*row, id=f"{row[0]}-{row[1].split()[0]}-{row[2]}") for row in DOCUMENTED_BODIES],
)
def test_documented_status_has_a_json_body_inferred_only_where_not_on_the_page(name, label, status, on_primary_page):
    spec = spec_of(name)
    response = spec.operation(label).responses[status]
    assert "application/json" in response.media_types
    assert response.has_schema
    assert spec.response_schema_pointer(response) is not None
    marks = inferred_marks(spec, response.pointer)
    if on_primary_page:
        assert marks == []
    else:
        assert marks != []
        for inferred, reason in marks:
            assert inferred is True
            assert isinstance(reason, str)
            assert reason.strip() != ""


# -- rate limits ----------------------------------------------------------------------------------------------

# vendor -> (the X-RateLimit-* headers its docs promise on every response, the page that says so)
RATE_LIMIT_HEADERS = {
    "nexor": ((), None),
    "pollybot": (
        ("x-ratelimit-limit", "x-ratelimit-remaining", "x-ratelimit-reset", "x-ratelimit-used"),
        "https://pollybot.app/docs/rate-limiting",
    ),
    "dialnexa": (
        ("x-ratelimit-limit", "x-ratelimit-remaining", "x-ratelimit-reset"),
        "https://dialnexa.mintlify.app/api-reference/rate-limits",
    ),
    "aura": (("x-ratelimit-limit", "x-ratelimit-remaining", "x-ratelimit-reset"), "https://docs.api.aura-app.ai/"),
}


@pytest.mark.parametrize("vendor", VENDOR_PARAMS)
def test_documented_rate_limit_headers_are_required_on_every_response(vendor):
    """The docs promise the X-RateLimit-* headers "on every response": every documented response requires them,
    as integers, each header carrying its evidence (inferred: the primary pages are silent on them)."""
    spec = spec_of(vendor)
    names, page = RATE_LIMIT_HEADERS[vendor.name]
    for operation in spec.operations:
        for status, response in operation.responses.items():
            limit_headers = {name for name in response.headers if name.startswith("x-ratelimit-")}
            assert limit_headers == set(names), f"{operation.label} {status}"
            for name in names:
                header = response.headers[name]
                assert header["required"] is True
                assert header["schema"] == {"type": "integer", **header["schema"]}
                assert header["x-evidence"]["level"] == "inferred"
                assert header["x-evidence"]["source"] == page
                assert name in header["x-evidence"]["quote"].lower()
    for pointer, node in walk(spec.raw):
        if isinstance(node, dict) and "x-evidence" in node:
            assert set(node["x-evidence"]) == {"level", "source", "quote"}, pointer
            assert node["x-evidence"]["level"] in ("stated", "shown", "contested", "inferred"), pointer
    for page_name in PRIMARY_PAGES[vendor.name]:
        primary = (VENDOR_DOCS / page_name).read_text(encoding="utf-8").lower()
        # Why "inferred": the operation's own page is silent on rate limits.
        assert "ratelimit" not in primary
        assert "rate limit" not in primary


def test_dialnexa_documents_retry_after_and_its_429_body():
    response = spec_of("dialnexa").operation("GET /campaigns-leads/{id}").responses["429"]
    assert response.headers["retry-after"]["required"] is True
    assert response.headers["retry-after"]["schema"] == {"type": "integer"}
    assert response.headers["retry-after"]["x-evidence"]["level"] == "inferred"
    assert "Retry-After (seconds) on 429" in response.headers["retry-after"]["x-evidence"]["quote"]


def test_nexor_500_is_documented_without_a_body():
    response = spec_of("nexor").operation("GET /leads/{id}").responses["500"]
    assert (response.media_types, response.has_schema) == ((), False)


@pytest.mark.parametrize("vendor", VENDOR_PARAMS)
def test_every_x_inferred_has_a_reason(vendor):
    marked = [(pointer, node) for pointer, node in walk(spec_of(vendor).raw) if isinstance(node, dict)]
    inferred = [(pointer, node) for pointer, node in marked if "x-inferred" in node]
    assert inferred != []  # every vendor's 401 at least
    for pointer, node in inferred:
        assert node["x-inferred"] is True, pointer
        assert isinstance(node.get("x-inferred-reason"), str), pointer
        assert node["x-inferred-reason"].strip() != "", pointer
    for pointer, node in marked:
        assert "x-inferred-reason" not in node or node.get("x-inferred") is True, pointer


PAGE = "/paths/{path}/get/responses/{status}/content/application~1json/schema"

# (vendor, status, a body the docs give for it, the same body broken, what breaks)
ERROR_BODIES = [
    pytest.param(
        "nexor",
        "GET /leads/{id}",
        "404",
        {"error": "Lead not found"},
        {"error": "Not found"},
        id="nexor-404",
    ),
    pytest.param(
        "nexor",
        "GET /leads/{id}",
        "401",
        {"error": "Missing API key", "message": "Please provide your API key in the X-API-Key header"},
        {"error": "Unauthorized", "message": "Please provide your API key in the X-API-Key header"},
        id="nexor-401-missing",
    ),
    pytest.param(
        "nexor",
        "POST /leads",
        "401",
        {"error": "Invalid API key", "message": "The provided API key is not valid"},
        {"error": "Invalid API key"},
        id="nexor-401-invalid",
    ),
    pytest.param(
        "nexor",
        "POST /leads",
        "400",
        {"error": "Validation error", "message": "first_name is required"},
        {"error": "Validation error"},
        id="nexor-400",
    ),
    pytest.param(
        "nexor",
        "GET /leads/{id}",
        "400",
        {"error": "Validation error", "message": "id must be a valid UUID"},
        {"error": "Lead not found"},
        id="nexor-get-400",
    ),
    pytest.param(
        "pollybot",
        "GET /api/v1/leads/{leadId}",
        "400",
        {
            "success": False,
            "error": "Invalid lead ID format",
            "code": "INVALID_ID_FORMAT",
            "details": {
                "leadId": "invalid-id",
                "expected": "lead_[alphanumeric string]",
                "message": "Lead IDs must start with 'lead_' followed by alphanumeric characters",
            },
        },
        {"success": False, "error": "Invalid lead ID format", "code": "LEAD_NOT_FOUND", "details": {}},
        id="pollybot-400",
    ),
    pytest.param(
        "pollybot",
        "GET /api/v1/leads/{leadId}",
        "404",
        {
            "success": False,
            "error": "Lead not found",
            "code": "LEAD_NOT_FOUND",
            "details": {"leadId": "lead_nonexistent123", "message": "No lead found with this ID in your workspace"},
        },
        {"success": False, "error": "Lead not found", "code": "LEAD_NOT_FOUND", "details": {"message": "Gone"}},
        id="pollybot-404",
    ),
    pytest.param(
        "pollybot",
        "GET /api/v1/leads/{leadId}",
        "401",
        {"success": False, "error": "Missing authorization header", "code": "MISSING_AUTH_HEADER"},
        {"success": True, "error": "Missing authorization header", "code": "MISSING_AUTH_HEADER"},
        id="pollybot-401",
    ),
    pytest.param(
        "dialnexa",
        "GET /campaigns-leads/{id}",
        "401",
        {"statusCode": 401, "message": "Unauthorized", "error": "Unauthorized"},
        {"statusCode": 403, "message": "Unauthorized", "error": "Unauthorized"},
        id="dialnexa-401",
    ),
    pytest.param(
        "dialnexa",
        "GET /campaigns-leads/{id}",
        "403",
        {"statusCode": 403, "message": "Forbidden resource", "error": "Forbidden"},
        {"statusCode": 403, "message": "Forbidden resource"},
        id="dialnexa-403",
    ),
    pytest.param(
        "dialnexa",
        "GET /campaigns-leads/{id}",
        "404",
        {"statusCode": 404, "message": ["lead not found", "or removed"], "error": "Not Found"},
        {"statusCode": 404, "message": 404, "error": "Not Found"},
        id="dialnexa-404",
    ),
    pytest.param(
        "aura",
        "GET /v1/leads/{id}",
        "404",
        {"code": "NOT_FOUND", "error": "Lead not found", "requestId": "req_abc123", "success": False},
        {"code": "NOT_FOUND", "error": "Lead not found", "success": False},
        id="aura-404",
    ),
    pytest.param(
        "aura",
        "GET /v1/leads/{id}",
        "401",
        {"code": "UNAUTHORIZED", "error": "Unauthorized", "requestId": "req_1", "success": False},
        {"code": "UNAUTHORIZED", "error": "Unauthorized", "requestId": "req_1", "success": True},
        id="aura-401",
    ),
    pytest.param(
        "aura",
        "GET /v1/leads/{id}",
        "400",
        {"code": "VALIDATION_ERROR", "error": "Invalid lead ID", "requestId": "req_1", "success": False},
        {"code": "VALIDATION_ERROR", "error": "Invalid lead ID", "requestId": "req_1"},
        id="aura-400",
    ),
    pytest.param(
        "pollybot",
        "GET /api/v1/leads/{leadId}",
        "429",
        {"success": False, "error": "Too many requests", "code": "RATE_LIMIT_EXCEEDED"},
        {"success": False, "error": "Too many requests"},
        id="pollybot-429",
    ),
    pytest.param(
        "dialnexa",
        "GET /campaigns-leads/{id}",
        "429",
        {
            "statusCode": 429,
            "message": "Too many requests. Please slow down and retry after a moment.",
            "error": "Too Many Requests",
        },
        {"message": "Too many requests. Please slow down and retry after a moment.", "error": "Too Many Requests"},
        id="dialnexa-429",
    ),
    pytest.param(
        "aura",
        "GET /v1/leads/{id}",
        "429",
        {"code": "RATE_LIMITED", "error": "Too many requests", "requestId": "req_1", "success": False},
        {"code": "RATE_LIMITED", "error": "Too many requests", "success": False},
        id="aura-429",
    ),
]


@pytest.mark.parametrize(("name", "label", "status", "good", "bad"), ERROR_BODIES)
def test_documented_error_bodies(name, label, status, good, bad):
    spec = spec_of(name)
    pointer = spec.response_schema_pointer(spec.operation(label).responses[status])
    assert pointer is not None
    assert errors_of(spec, pointer, good) == []
    assert errors_of(spec, pointer, bad) != []


def test_rule_4_nexor_create_accepts_200_and_201():
    operation = spec_of("nexor").operation("POST /leads")
    ok, created = operation.responses["200"], operation.responses["201"]
    assert ok.pointer == created.pointer == "/components/responses/LeadCreated"
    assert [status for status in operation.documented_statuses if status.startswith("2")] == ["200", "201"]
    assert operation.response_for(202) is None


@pytest.mark.parametrize("vendor", VENDOR_PARAMS)
def test_rule_3_no_additional_properties_false(vendor):
    closed = [
        pointer
        for pointer, node in walk(spec_of(vendor).raw)
        if isinstance(node, dict)
        and (node.get("additionalProperties") is False or node.get("unevaluatedProperties") is False)
    ]
    assert closed == []


# -- formats --------------------------------------------------------------------------------------


def replace_strings(value: Any, replacements: dict[str, str]) -> Any:
    if isinstance(value, dict):
        return {k: replace_strings(v, replacements) for k, v in value.items()}
    if isinstance(value, list):
        return [replace_strings(v, replacements) for v in value]
    return replacements.get(value, value) if isinstance(value, str) else value


def repair_dialnexa_response_section(value: dict[str, Any]) -> dict[str, Any]:
    # metadata is documented (the prose's name for notes) and call_log_id is optional: only name and notes lack.
    return {**value, "notes": value["metadata"], "name": "Priya Sharma"}


NEXOR_PLACEHOLDERS = {"uuid": UUID_1, "uuid-of-workflow": UUID_2, "uuid-of-campaign": UUID_3}

INVALID = "x-invalid-examples"
"""Where a spec keeps the docs' examples that cannot validate (beside the media type's OpenAPI ``examples``)."""

NEXOR_GET_200 = f"/paths/~1leads~1{{id}}/get/responses/200/content/application~1json/{INVALID}/docs"
NEXOR_POST_BODY = f"/paths/~1leads/post/requestBody/content/application~1json/{INVALID}/docs"
NEXOR_CREATED = f"/components/responses/LeadCreated/content/application~1json/{INVALID}/docs"
POLLYBOT_200 = "/paths/~1api~1v1~1leads~1{leadId}/get/responses/200/content/application~1json/examples/docs"
DIALNEXA_200 = "/paths/~1campaigns-leads~1{id}/get/responses/200/content/application~1json"
AURA_200 = "/paths/~1v1~1leads~1{id}/get/responses/200/content/application~1json/examples/docs"

# x-invalid example -> the example with exactly the problem its x-invalid reason names repaired
REPAIRS = {
    ("nexor", NEXOR_GET_200): lambda value: replace_strings(value, NEXOR_PLACEHOLDERS),
    ("nexor", NEXOR_POST_BODY): lambda value: replace_strings(value, NEXOR_PLACEHOLDERS),
    ("nexor", NEXOR_CREATED): lambda value: replace_strings(value, NEXOR_PLACEHOLDERS),
    ("dialnexa", f"{DIALNEXA_200}/{INVALID}/response-section"): repair_dialnexa_response_section,
}


def media_type_of(example_pointer: str) -> str:
    """The media type an example pointer (``.../examples/NAME`` or ``.../x-invalid-examples/NAME``) is in."""
    media, kind, _ = example_pointer.rsplit("/", 2)
    assert kind in ("examples", INVALID), example_pointer
    return media


def valid_body(name: str, example_pointer: str) -> tuple[str, Any]:
    """(schema pointer, a valid instance): the docs' example, repaired where it is marked x-invalid."""
    spec = spec_of(name)
    value = spec.resolve_pointer(example_pointer)["value"]
    repair = REPAIRS.get((name, example_pointer), lambda v: v)
    schema = media_type_of(example_pointer) + "/schema"
    return schema, repair(copy.deepcopy(value))


# (vendor, docs example, pointer into it, a bad value, the format that must reject it)
FORMAT_CASES = [
    ("nexor", NEXOR_GET_200, "/created_at", "2024-01-01 10:00", "date-time"),
    ("nexor", NEXOR_GET_200, "/created_at", "2026-02-10", "date-time"),
    ("nexor", NEXOR_GET_200, "/id", "123e4567", "uuid"),
    ("nexor", NEXOR_GET_200, "/email", "a@", "email"),
    ("nexor", NEXOR_GET_200, "/assigned_user/email", "a@", "email"),
    ("nexor", NEXOR_GET_200, "/campaign/id", "uuid", "uuid"),
    ("nexor", NEXOR_GET_200, "/activeWorkflowRun/workflow_id", "uuid", "uuid"),
    ("nexor", NEXOR_POST_BODY, "/email", "a@", "email"),
    ("nexor", NEXOR_POST_BODY, "/workflow_id", "uuid-of-workflow", "uuid"),
    ("nexor", NEXOR_POST_BODY, "/campaign_id", "uuid-of-campaign", "uuid"),
    ("nexor", NEXOR_CREATED, "/lead/created_at", "2024-01-01 10:00", "date-time"),
    ("nexor", NEXOR_CREATED, "/lead/id", "not-a-uuid", "uuid"),
    ("nexor", NEXOR_CREATED, "/lead/email", "a@", "email"),
    ("nexor", NEXOR_CREATED, "/workflow_run/id", "uuid", "uuid"),
    ("pollybot", POLLYBOT_200, "/data/createdAt", "2024-01-15 10:30", "date-time"),
    ("pollybot", POLLYBOT_200, "/data/updatedAt", "yesterday", "date-time"),
    ("pollybot", POLLYBOT_200, "/data/email", "a@", "email"),
    ("dialnexa", f"{DIALNEXA_200}/examples/docs", "/created_at", "2024-03-01 10:00", "date-time"),
    ("aura", AURA_200, "/data/id", "550e8400", "uuid"),
    ("aura", AURA_200, "/data/email", "a@", "email"),
    ("aura", AURA_200, "/data/created_at", "2026-01-17 08:00", "date-time"),
    ("aura", AURA_200, "/data/updated_at", "string", "date-time"),
    ("aura", AURA_200, "/data/notes/0/created_at", "string", "date-time"),
    ("aura", AURA_200, "/data/metadata/dataConsentAcceptedAt", "2026-05-08", "date-time"),
]


@pytest.mark.parametrize(
    ("name", "example", "pointer", "bad", "fmt"),
    [pytest.param(*case, id=f"{case[0]}-{case[1].split('/')[-1]}{case[2]}={case[3]}") for case in FORMAT_CASES],
)
def test_bad_formats_really_fail(name, example, pointer, bad, fmt):
    spec = spec_of(name)
    schema, body = valid_body(name, example)
    assert errors_of(spec, schema, body) == []
    jsonpointer.set_pointer(body, pointer, bad)
    assert (pointer, fmt) in format_errors(spec, schema, body)


# -- examples -------------------------------------------------------------------------------------


def example_id(name: str, pointer: str) -> str:
    parts = [p.replace("~1", "/").replace("~0", "~") for p in pointer.split("/")[1:]]
    if parts[0] == "paths":
        where = f"{parts[2].upper()} {parts[1]} {'request' if parts[3] == 'requestBody' else parts[4]}"
    else:
        where = parts[2]
    return f"{name}-{where}-{parts[-1]}"


def invalid_examples(spec: Spec) -> Iterator[tuple[str, str, dict[str, Any]]]:
    """Every example under a media type's ``x-invalid-examples``, as ``(pointer, schema pointer, example)``."""
    for pointer, node in walk(spec.raw):
        if isinstance(node, dict) and INVALID in node:
            assert pointer.split("/")[-2] == "content", f"{pointer}: {INVALID} belongs beside a media type's examples"
            for name, example in node[INVALID].items():
                yield f"{pointer}/{INVALID}/{name.replace('~', '~0').replace('/', '~1')}", f"{pointer}/schema", example


def collect_examples() -> tuple[list[Any], list[Any]]:
    """The media-type examples of every spec: OpenAPI ``examples`` (which must validate) and ``x-invalid-examples``
    (which must not); a spec that does not load has none here (its own test fails)."""
    valid: list[Any] = []
    invalid: list[Any] = []
    for vendor in VENDORS:
        try:
            spec = spec_of(vendor)
        except SpecError:
            continue
        for found, examples in ((valid, spec.examples()), (invalid, invalid_examples(spec))):
            found.extend(
                pytest.param(vendor.name, pointer, schema, example, id=example_id(vendor.name, pointer))
                for pointer, schema, example in examples
            )
    return valid, invalid


VALID_EXAMPLES, INVALID_EXAMPLES = collect_examples()


def test_examples_are_partitioned():
    """An x-invalid example is never an OpenAPI example (which Spectral, Redocly and schemathesis read as valid
    data), and every example under x-invalid-examples says why it is there."""
    assert {p.values[0] for p in VALID_EXAMPLES} == {vendor.name for vendor in VENDORS}
    assert [p.id for p in VALID_EXAMPLES if "x-invalid" in p.values[3]] == []
    assert [p.id for p in INVALID_EXAMPLES if "x-invalid" not in p.values[3]] == []
    assert {(p.values[0], p.values[1]) for p in INVALID_EXAMPLES} == set(REPAIRS)


@pytest.mark.parametrize(("name", "pointer", "schema", "example"), VALID_EXAMPLES)
def test_example_validates(name, pointer, schema, example):
    assert errors_of(spec_of(name), schema, example["value"]) == []


def openapi_examples(spec: Spec) -> Iterator[tuple[str, str, Any]]:
    """``(pointer, schema pointer, value)`` of every OpenAPI example in a document: the named ``examples`` of media
    types, parameters and headers, and the ``examples`` list of a schema (never ``x-invalid-examples``)."""

    def visit(node: Any, pointer: str) -> Iterator[tuple[str, str, Any]]:
        if isinstance(node, list):
            for index, item in enumerate(node):
                yield from visit(item, f"{pointer}/{index}")
            return
        if not isinstance(node, dict):
            return
        examples = node.get("examples")
        seen = {INVALID}
        if isinstance(examples, dict) and "schema" in node:  # a media type, parameter or header
            seen.add("examples")
            for name in examples:
                at = f"{pointer}/examples/{name.replace('~', '~0').replace('/', '~1')}"
                yield at, f"{pointer}/schema", spec.resolve_pointer(at)["value"]
        elif isinstance(examples, list):  # a schema
            seen.add("examples")
            for index, value in enumerate(examples):
                yield f"{pointer}/examples/{index}", pointer, value
        for key, value in node.items():
            if key not in seen:
                yield from visit(value, f"{pointer}/{key.replace('~', '~0').replace('/', '~1')}")

    yield from visit(spec.raw, "")


EVERY_OPENAPI_EXAMPLE = [
    pytest.param(vendor.name, pointer, schema, value, id=f"{vendor.name}-{pointer}")
    for vendor in VENDORS
    for pointer, schema, value in openapi_examples(spec_of(vendor))
]


def test_every_kind_of_openapi_example_is_collected():
    """The next test sees the examples of media types, path parameters, headers and schemas alike."""
    pointers = [str(p.values[1]) for p in EVERY_OPENAPI_EXAMPLE]
    assert {p.values[1] for p in VALID_EXAMPLES} <= set(pointers)
    assert any("/parameters/0/examples/" in pointer for pointer in pointers)
    assert any("/headers/" in pointer and "/schema/examples/" in pointer for pointer in pointers)
    assert any("/properties/first_name/examples/" in pointer for pointer in pointers)
    assert all(f"/{INVALID}/" not in pointer for pointer in pointers)


@pytest.mark.parametrize(("name", "pointer", "schema", "value"), EVERY_OPENAPI_EXAMPLE)
def test_every_openapi_example_validates(name, pointer, schema, value):
    """What is left under OpenAPI ``examples`` anywhere (parameters and headers too) is valid, as linters expect."""
    assert errors_of(spec_of(name), schema, value) == []


@pytest.mark.parametrize(("name", "pointer", "schema", "example"), INVALID_EXAMPLES)
def test_x_invalid_example_really_fails(name, pointer, schema, example):
    assert isinstance(example["x-invalid"], str)
    assert example["x-invalid"].strip() != ""
    assert errors_of(spec_of(name), schema, example["value"]) != []


@pytest.mark.parametrize(("name", "pointer", "schema", "example"), INVALID_EXAMPLES)
def test_x_invalid_example_fails_only_for_its_stated_reason(name, pointer, schema, example):
    """Repairing exactly what the x-invalid reason names makes the example valid (no unstated problem)."""
    repair_schema, repaired = valid_body(name, pointer)
    assert repair_schema == schema
    assert errors_of(spec_of(name), schema, repaired) == []


@pytest.mark.parametrize(("name", "pointer", "schema", "example"), INVALID_EXAMPLES)
def test_x_invalid_example_is_a_recorded_discrepancy(name, pointer, schema, example):
    """Some x-doc-discrepancy cites the example's page and says the example is kept under x-invalid-examples."""
    page = example["x-doc-source"].split(" ")[0]
    recorded = [
        entry
        for entry in discrepancies(spec_of(name))
        if entry["source"].split(" ")[0] == page and INVALID in " ".join(entry["reading"].split())
    ]
    assert recorded != []


def page_objects(page: str) -> list[Any]:
    """Every JSON object literally written on a docs page."""
    text = (VENDOR_DOCS / page).read_text(encoding="utf-8")
    decoder = json.JSONDecoder()
    found = []
    for match in re.finditer(r"\{", text):
        try:
            value, _ = decoder.raw_decode(text, match.start())
        except ValueError:
            continue
        found.append(value)
    return found


needs_docs = pytest.mark.skipif(not VENDOR_DOCS.is_dir(), reason=f"the vendor docs are not at {VENDOR_DOCS}")


def primary_page_examples(vendor: Vendor) -> list[tuple[str, str, Any]]:
    """(example pointer, page, value) of every embedded example whose x-doc-source is a primary page."""
    found = []
    spec = spec_of(vendor)
    for pointer, _, example in itertools.chain(spec.examples(), invalid_examples(spec)):
        page = example.get("x-doc-source", "").split(" ")[0]
        if page.startswith("seeds/"):
            found.append((pointer, page, example["value"]))
    return found


@pytest.mark.parametrize("vendor", VENDOR_PARAMS)
def test_every_primary_page_has_an_embedded_example(vendor):
    assert {page for _, page, _ in primary_page_examples(vendor)} == set(PRIMARY_PAGES[vendor.name])


@needs_docs
@pytest.mark.parametrize("vendor", VENDOR_PARAMS)
def test_examples_from_the_primary_pages_are_copied_faithfully(vendor):
    examples = primary_page_examples(vendor)
    assert examples != []
    for pointer, page, value in examples:
        assert value in page_objects(page), f"{pointer} is not on {page}"


@needs_docs
def test_readme_lists_the_primary_pages():
    readme = (VENDOR_DOCS / "README.md").read_text(encoding="utf-8")
    for name, pages in PRIMARY_PAGES.items():
        for page in pages:
            assert f"`{page}` | {get_vendor(name).title}" in readme


# -- rule 5: the docs' known contradictions are recorded -----------------------------------------

# (vendor, where it is recorded, a distinctive word of the other reading), one per item of
# ../shared/vendor-docs/README.md "Known contradictions to settle in the specs".
CONTRADICTIONS = [
    pytest.param("nexor", "x-doc-discrepancy", "active_workflow_run", id="nexor-get-newer-page-envelope"),
    pytest.param("nexor", "x-doc-discrepancy", "variables", id="nexor-get-newer-page-variables"),
    pytest.param("dialnexa", "x-doc-discrepancy", "metadata instead of notes", id="dialnexa-notes-vs-metadata"),
    pytest.param("dialnexa", "x-doc-discrepancy", "lacks name", id="dialnexa-second-example-lacks-name"),
    pytest.param("dialnexa", "x-doc-discrepancy", "cmp_5tw8vz2rnx1q", id="dialnexa-path-example-campaign-id"),
    pytest.param("aura", "x-doc-discrepancy", "JSONB", id="aura-older-page-jsonb"),
    pytest.param("aura", "x-doc-discrepancy", "disqualification_data is shown as null", id="aura-older-disq-null"),
    pytest.param("aura", "x-doc-discrepancy", "placeholder body for every error status", id="aura-one-error-body"),
    # Recorded as a note on the doc generator (not a contradiction between readings): descriptions.
    pytest.param("aura", "description", "property1", id="aura-property1-is-additional-properties"),
    # The create page shows no errors; the 400 envelope is inferred from the PATCH and auth pages.
    pytest.param("nexor", "x-inferred-reason", "PATCH page lists 400", id="nexor-400-envelope"),
    pytest.param("pollybot", "x-doc-discrepancy", "/api/v1/chatbots/{chatbotId}/leads", id="pollybot-chatbots-path"),
]


def texts_under(spec: Spec, key: str) -> str:
    texts: list[str] = []
    for _, node in walk(spec.raw):
        if isinstance(node, dict) and key in node:
            value = node[key]
            entries = value if isinstance(value, list) else [value]
            texts.extend(json.dumps(entry) if not isinstance(entry, str) else entry for entry in entries)
    return " ".join(" ".join(texts).split())


@pytest.mark.parametrize(("name", "key", "word"), CONTRADICTIONS)
def test_known_contradiction_is_recorded(name, key, word):
    assert word in texts_under(spec_of(name), key)


@pytest.mark.parametrize("vendor", VENDOR_PARAMS)
def test_discrepancies_are_source_reading_pairs(vendor):
    entries = discrepancies(spec_of(vendor))
    assert entries != []
    for entry in entries:
        assert set(entry) == {"source", "reading"}
        assert entry["source"].strip() != ""
        assert entry["reading"].strip() != ""


def test_aura_property_placeholders_are_open_maps():
    """The objects whose docs example shows property1/property2 accept additional keys (rule 1)."""
    spec = spec_of("aura")
    example = spec.resolve_pointer(AURA_200)["value"]
    holders = [pointer for pointer, node in walk(example) if isinstance(node, dict) and "property1" in node]
    assert holders == ["/data/disqualification_data", "/data/metadata", "/data/notes/0"]
    for schema in ("DisqualificationData", "LeadMetadata", "LeadNote"):
        assert spec.schema_at(f"#/components/schemas/{schema}")["additionalProperties"] is True
    _, repaired = valid_body("aura", AURA_200)
    for holder in holders:
        assert jsonpointer.resolve_pointer(repaired, holder)["property1"] is None  # kept, and valid
