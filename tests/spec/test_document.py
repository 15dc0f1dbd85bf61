"""The spec loader (contracts/spec/document.py), on tiny toy specs in tests/data/ (never the vendor specs)."""

from __future__ import annotations

import copy
from pathlib import Path

import jsonschema_rs
import pytest
import yaml
from jsonschema import Draft202012Validator

from contracts.spec.document import FORMAT_CHECKER, Spec
from contracts.values.errors import SpecError

DATA = Path(__file__).parent.parent / "data"
TOY = DATA / "toy.yaml"
ITEM = "/paths/~1items~1{itemId}/get"


@pytest.fixture(scope="module")
def toy() -> Spec:
    return Spec.load(TOY)


def load_error(path: Path) -> SpecError:
    with pytest.raises(SpecError) as raised:
        Spec.load(path)
    return raised.value


# -- malformed specs give one clear SpecError naming the file ---------------------------------------


@pytest.mark.parametrize(
    ("name", "message", "pointer"),
    [
        pytest.param("missing.yaml", "cannot read spec: No such file or directory", "", id="missing-file"),
        pytest.param(".", "cannot read spec: Is a directory", "", id="directory"),
        pytest.param(
            "invalid_yaml.yaml",
            "not valid YAML (line 4, column 10): expected ',' or ']', but got ':'",
            "",
            id="invalid-yaml",
        ),
        pytest.param("not_a_mapping.yaml", "the document is not a mapping", "", id="list-document"),
        pytest.param("openapi_30.yaml", "expected OpenAPI 3.1, found openapi: '3.0.3'", "", id="openapi-3.0"),
    ],
)
def test_malformed_spec_gives_a_one_line_spec_error(name, message, pointer):
    path = DATA / name
    error = load_error(path)
    assert (error.path, error.pointer, error.message) == (str(path), pointer, message)
    assert str(error) == f"spec error in {path}: {message}"
    assert "\n" not in str(error)


def test_empty_file_is_not_a_mapping(tmp_path):
    path = tmp_path / "empty.yaml"
    path.write_text("")
    assert str(load_error(path)) == f"spec error in {path}: the document is not a mapping"


def test_file_that_is_not_utf8_gives_a_spec_error(tmp_path):
    path = tmp_path / "latin1.yaml"
    path.write_bytes("openapi: 3.1.0\ninfo: {title: Caf\u00e9, version: '1'}\n".encode("latin-1"))
    error = load_error(path)
    assert error.path == str(path)
    assert "\n" not in str(error)


def test_meta_schema_violation_names_file_and_pointer():
    path = DATA / "meta_violation.yaml"
    error = load_error(path)
    assert error.path == str(path)
    assert error.pointer == "/paths/~1items/get/responses/200"
    assert error.message.startswith(
        'does not validate against the OpenAPI 3.1 meta-schema: "description" is a required property'
    )
    assert str(error).startswith(f"spec error in {path}#/paths/~1items/get/responses/200: does not validate")


def test_meta_schema_violation_is_one_line():
    assert "\n" not in str(load_error(DATA / "meta_violation.yaml"))


def test_dangling_ref_names_the_object_holding_it():
    path = DATA / "dangling_ref.yaml"
    error = load_error(path)
    pointer = "/paths/~1items/get/responses/200/headers/X-Trace"
    assert (error.path, error.pointer) == (str(path), pointer)
    assert error.message == "$ref '#/components/headers/Missing' does not resolve"
    assert str(error) == f"spec error in {path}#{pointer}: $ref '#/components/headers/Missing' does not resolve"


@pytest.mark.parametrize(
    "parts",
    [
        pytest.param(("paths", "/items/{itemId}", "get", "responses", "200", "headers", "X-Trace"), id="header"),
        pytest.param(
            ("paths", "/items/{itemId}", "get", "responses", "200", "content", "application/json", "examples", "x"),
            id="example",
        ),
        pytest.param(
            ("paths", "/items/{itemId}", "get", "responses", "200", "content", "application/json", "schema"),
            id="schema",
        ),
        pytest.param(("components", "schemas", "Item", "properties", "id"), id="nested-schema"),
        pytest.param(("paths", "/items/{itemId}", "get", "responses", "4XX"), id="response"),
        pytest.param(("paths", "/items/{itemId}", "parameters", 0), id="parameter"),
    ],
)
def test_dangling_ref_anywhere_gives_a_spec_error_with_its_pointer(parts):
    raw = yaml.safe_load(TOY.read_text())
    node = raw
    for part in parts[:-1]:
        node = node[part]
    node[parts[-1]] = {"$ref": "#/components/schemas/Nowhere"}
    with pytest.raises(SpecError) as raised:
        Spec(raw, source="toy-broken.yaml")
    expected_pointer = "/" + "/".join(str(p).replace("~", "~0").replace("/", "~1") for p in parts)
    assert (raised.value.path, raised.value.pointer) == ("toy-broken.yaml", expected_pointer)
    assert "'#/components/schemas/Nowhere' does not resolve" in raised.value.message


def test_iter_refs_lists_every_ref_with_its_holder(toy):
    assert sorted(toy.iter_refs()) == sorted(
        [
            ("/paths/~1items~1{itemId}/parameters/0", "#/components/parameters/ItemId"),
            (f"{ITEM}/responses/200/headers/X-Trace", "#/components/headers/X-Trace"),
            (f"{ITEM}/responses/200/content/application~1json/schema", "#/components/schemas/Item"),
            (f"{ITEM}/responses/200/content/application~1json/examples/shared", "#/components/examples/SharedItem"),
            (f"{ITEM}/responses/4XX", "#/components/responses/Problem"),
            ("/paths/~1items/post/requestBody/content/application~1json/schema", "#/components/schemas/Item"),
            ("/paths/~1items/post/responses/201/content/application~1json/schema", "#/components/schemas/Item"),
            ("/components/responses/Problem/content/application~1problem+json/schema", "#/components/schemas/Problem"),
        ]
    )


# -- operations -----------------------------------------------------------------------------------


def test_operations_are_indexed_by_label(toy):
    assert [op.label for op in toy.operations] == ["GET /items/{itemId}", "DELETE /items/{itemId}", "POST /items"]
    get = toy.operation("GET /items/{itemId}")
    assert (get.operation_id, get.pointer, get.is_write) == ("getItem", ITEM, False)
    assert get.path_parameters == ("itemId",)
    assert get.security_schemes == ("Bearer",)
    assert get.extensions == {"x-doc-source": "toy page"}
    assert get.documented_statuses == ("200", "4XX", "default")
    assert get.responses["200"].headers["x-trace"] == {"schema": {"type": "string"}}
    assert get.responses["200"].header_schemas == {"x-trace": "/components/headers/X-Trace/schema"}
    assert toy.schema_types("/components/headers/X-Trace/schema") == ("string",)
    delete = toy.operation("DELETE /items/{itemId}")
    assert (delete.security_schemes, delete.is_write, delete.path_parameters) == (("Key",), True, ("itemId",))
    post = toy.operation("POST /items")
    assert (post.request_media_types, post.path_parameters) == (("application/json",), ())


@pytest.mark.parametrize(
    "label",
    [
        pytest.param("GET /items", id="undocumented-method"),
        pytest.param("get /items/{itemId}", id="lower-case-method"),
        pytest.param("GET /items/{id}", id="other-parameter-name"),
    ],
)
def test_unknown_operation_lists_the_known_ones(toy, label):
    with pytest.raises(SpecError) as raised:
        toy.operation(label)
    assert raised.value.path == str(TOY)
    assert raised.value.message == (
        f"no operation {label!r}; the spec has: GET /items/{{itemId}}, DELETE /items/{{itemId}}, POST /items"
    )


@pytest.mark.parametrize(
    ("label", "status", "expected", "pointer"),
    [
        pytest.param("GET /items/{itemId}", 200, "200", f"{ITEM}/responses/200", id="exact"),
        pytest.param("GET /items/{itemId}", 404, "4XX", "/components/responses/Problem", id="range-via-ref"),
        pytest.param("GET /items/{itemId}", 429, "4XX", "/components/responses/Problem", id="range-429"),
        pytest.param("GET /items/{itemId}", 500, "default", f"{ITEM}/responses/default", id="default-5xx"),
        pytest.param("GET /items/{itemId}", 201, "default", f"{ITEM}/responses/default", id="default-2xx"),
        pytest.param("DELETE /items/{itemId}", 204, "204", "/paths/~1items~1{itemId}/delete/responses/204", id="204"),
        pytest.param("DELETE /items/{itemId}", 404, None, None, id="undocumented"),
        pytest.param("POST /items", 200, None, None, id="no-default"),
    ],
)
def test_response_for(toy, label, status, expected, pointer):
    response = toy.operation(label).response_for(status)
    if expected is None:
        assert response is None
    else:
        assert response is not None
        assert (response.status, response.pointer) == (expected, pointer)


def test_response_media_types_and_schema_pointers(toy):
    get = toy.operation("GET /items/{itemId}")
    ok, problem, default = get.responses["200"], get.responses["4XX"], get.responses["default"]
    assert (ok.media_types, ok.has_schema) == (("application/json",), True)
    assert (problem.media_types, problem.has_schema) == (("application/problem+json",), True)
    assert (default.media_types, default.has_schema) == ((), False)
    assert toy.response_schema_pointer(ok) == f"{ITEM}/responses/200/content/application~1json/schema"
    assert toy.response_schema_pointer(problem) is None  # no application/json
    assert (
        toy.response_schema_pointer(problem, "application/problem+json")
        == "/components/responses/Problem/content/application~1problem+json/schema"
    )
    assert toy.response_schema_pointer(default) is None


@pytest.mark.parametrize(
    ("method", "path", "matches"),
    [
        pytest.param("GET", "/items/abc", True, id="plain"),
        pytest.param("get", "/items/abc", True, id="method-case"),
        pytest.param("GET", "/items/a%2Fb", True, id="encoded-slash"),
        pytest.param("GET", "/items/caf%C3%A9%20x", True, id="percent-encoded"),
        pytest.param("GET", "/items/a/b", False, id="two-segments"),
        pytest.param("GET", "/items/", False, id="empty-segment"),
        pytest.param("GET", "/items/abc/", False, id="trailing-slash"),
        pytest.param("POST", "/items/abc", False, id="other-method"),
    ],
)
def test_operation_matches_concrete_paths(toy, method, path, matches):
    assert toy.operation("GET /items/{itemId}").matches(method, path) is matches


def test_match_finds_the_operation_of_a_request(toy):
    assert toy.match("DELETE", "/items/a%2Fb") == toy.operation("DELETE /items/{itemId}")
    assert toy.match("POST", "/items") == toy.operation("POST /items")
    assert toy.match("PUT", "/items") is None


# -- servers and security -------------------------------------------------------------------------


def test_server_url_and_path(toy):
    assert (toy.server_url, toy.server_path) == ("https://toy.example/api/v2", "/api/v2")


@pytest.mark.parametrize(
    ("scheme", "headers"),
    [
        pytest.param("Bearer", {"Authorization": "Bearer k-123"}, id="bearer"),
        pytest.param("Key", {"X-Toy-Key": "k-123"}, id="api-key-header"),
    ],
)
def test_credential_headers(toy, scheme, headers):
    assert toy.credential_headers(scheme, "k-123") == headers


def test_credential_headers_refuses_other_schemes(toy):
    with pytest.raises(SpecError, match="security scheme 'Basic' is not a bearer or header API key"):
        toy.credential_headers("Basic", "k")
    with pytest.raises(SpecError) as raised:
        toy.credential_headers("Nope", "k")
    assert (raised.value.message, raised.value.pointer) == ("no security scheme 'Nope'", "/components/securitySchemes")


def test_credential_header_names(toy):
    assert toy.credential_header_names() == {"authorization", "x-toy-key"}
    assert toy.security_scheme("Key") == {"type": "apiKey", "in": "header", "name": "X-Toy-Key"}


# -- schemas, validators, examples ----------------------------------------------------------------

GOOD_ITEM = {
    "id": "6f1c2a9e-4b7d-4e3a-9c1f-2d8e7b6a5c4d",
    "email": "ada@example.com",
    "created_at": "2024-01-01T10:00:00Z",
}


@pytest.mark.parametrize(
    ("field", "value", "fmt"),
    [
        pytest.param("created_at", "2024-01-01 10:00", "date-time", id="date-time-space-no-seconds"),
        pytest.param("created_at", "2024-01-01T10:00:00", "date-time", id="date-time-no-offset"),
        pytest.param("created_at", "2024-13-01T10:00:00Z", "date-time", id="date-time-month-13"),
        pytest.param("id", "not-a-uuid", "uuid", id="uuid-word"),
        pytest.param("id", "6f1c2a9e4b7d4e3a9c1f2d8e7b6a5c4d", "uuid", id="uuid-no-hyphens"),
        pytest.param("email", "a@", "email", id="email-a-at"),
        pytest.param("email", "no-at-sign", "email", id="email-no-at"),
    ],
)
def test_validator_checks_formats(toy, field, value, fmt):
    errors = list(toy.validator("#/components/schemas/Item").iter_errors({**GOOD_ITEM, field: value}))
    assert [(list(e.absolute_path), e.validator, e.validator_value) for e in errors] == [([field], "format", fmt)]


def test_validator_accepts_a_good_instance_and_is_cached(toy):
    validator = toy.validator("#/components/schemas/Item")
    assert list(validator.iter_errors(GOOD_ITEM)) == []
    assert toy.validator("/components/schemas/Item") is validator
    assert [e.message for e in validator.iter_errors({"id": GOOD_ITEM["id"]})] == [
        "'email' is a required property",
        "'created_at' is a required property",
    ]


def test_email_check_is_as_strict_as_jsonschema_rs():
    """jsonschema's own email check accepts "a@"; the suite's checker must not (schemathesis does not)."""
    assert Draft202012Validator.FORMAT_CHECKER.conforms("a@", "email")
    assert not FORMAT_CHECKER.conforms("a@", "email")
    assert FORMAT_CHECKER.conforms("ada@example.com", "email")
    assert FORMAT_CHECKER.conforms(5, "email")  # formats apply to strings only


def test_validator_for_a_missing_schema_is_a_spec_error(toy):
    with pytest.raises(SpecError, match="'/components/schemas/Nope' does not resolve"):
        toy.validator("#/components/schemas/Nope")


def test_resolve_pointer_follows_a_final_ref(toy):
    assert toy.resolve_pointer(f"#{ITEM}/responses/4XX")["description"] == "A client error"
    assert toy.schema_at(f"{ITEM}/responses/200/content/application~1json/schema")["required"] == [
        "id",
        "email",
        "created_at",
    ]
    with pytest.raises(SpecError, match="is not a schema"):
        toy.schema_at("/components/schemas/Item/required")


def test_examples_are_iterated_with_refs_resolved(toy):
    media = f"{ITEM}/responses/200/content/application~1json"
    examples = {pointer: (schema, example) for pointer, schema, example in toy.examples()}
    assert set(examples) == {f"{media}/examples/inline", f"{media}/examples/shared"}
    assert {schema for schema, _ in examples.values()} == {f"{media}/schema"}
    assert examples[f"{media}/examples/shared"][1]["value"]["email"] == "grace@example.com"
    for schema, example in examples.values():
        assert list(toy.validator(schema).iter_errors(example["value"])) == []


def test_copy_raw_is_independent(toy):
    raw = toy.copy_raw()
    raw["info"]["title"] = "changed"
    assert toy.raw["info"]["title"] == "Toy API"
    assert copy.deepcopy(toy.raw) == yaml.safe_load(TOY.read_text())


# -- the fast validators and the formats both layers share ----------------------------------------


def test_fast_validator_is_compiled_once_per_pointer(toy):
    validator = toy.fast_validator("#/components/schemas/Item")
    assert toy.fast_validator("/components/schemas/Item") is validator
    assert validator.is_valid(GOOD_ITEM)
    assert not validator.is_valid({**GOOD_ITEM, "id": "not-a-uuid"})
    assert toy.fast_validator("#/components/schemas/Problem") is not validator


def test_fast_validator_resolves_refs_from_a_pointer_into_paths(toy):
    """A pointer below /paths holds "{itemId}", which a $ref URI cannot carry unescaped."""
    validator = toy.fast_validator(f"{ITEM}/responses/200/content/application~1json/schema")
    assert validator.is_valid(GOOD_ITEM)
    assert not validator.is_valid({**GOOD_ITEM, "email": "a@"})


def test_fast_validator_for_a_missing_schema_is_a_spec_error(toy):
    with pytest.raises(SpecError, match="'/components/schemas/Nope' does not resolve"):
        toy.fast_validator("#/components/schemas/Nope")


@pytest.mark.parametrize(
    ("fmt", "value", "conforms"),
    [
        pytest.param("date-time", "2016-12-31T23:59:60Z", True, id="leap-second"),
        pytest.param("date-time", "2016-12-31T18:59:60-05:00", True, id="leap-second-with-offset"),
        pytest.param("date-time", "2026-02-10T23:59:60Z", False, id="second-60-mid-month"),
        pytest.param("date-time", "2026-02-10T12:00:00Z\n", False, id="trailing-newline"),
        pytest.param("uuid", "123e4567-e89b-12d3-a456-426614174000}", False, id="uuid-trailing-brace"),
        pytest.param("uuid", "123e4567-e89b-12d3-a456-42661417400-0", False, id="uuid-extra-hyphen"),
        pytest.param("email", "a@", False, id="email-no-domain"),
        pytest.param("email", "@b.co", False, id="email-no-local-part"),
    ],
)
def test_where_jsonschema_and_jsonschema_rs_disagree_the_rfc_decides_for_both_layers(toy, fmt, value, conforms):
    """Stock jsonschema and stock jsonschema-rs judge each of these differently; RFC 3339 §5.6-5.7 (a leap
    second only ends a month), RFC 9562 (8-4-4-4-12 hex) and RFC 5321 (local-part@domain) settle them, and
    the explanation (FORMAT_CHECKER) and the fast validators then agree."""
    stock_rs = jsonschema_rs.Draft202012Validator({"format": fmt}, validate_formats=True)
    assert Draft202012Validator.FORMAT_CHECKER.conforms(value, fmt) is not stock_rs.is_valid(value)
    assert FORMAT_CHECKER.conforms(value, fmt) is conforms
    field = {"date-time": "created_at", "uuid": "id", "email": "email"}[fmt]
    assert toy.fast_validator("#/components/schemas/Item").is_valid({**GOOD_ITEM, field: value}) is conforms


@pytest.mark.parametrize(
    ("value", "conforms"),
    [
        pytest.param("1971-12-31T23:59:60Z", False, id="before-utc-had-leap-seconds"),
        pytest.param("0000-12-31T23:59:60Z", False, id="year-0000-which-datetime-cannot-hold"),
        pytest.param("9999-12-31T23:59:60Z", True, id="the-last-minute-datetime-can-hold"),
        pytest.param("2016-06-30T23:59:60.5+00:00", True, id="end-of-june-with-fraction"),
        pytest.param("2016-07-01T00:59:60+01:00", True, id="end-of-june-in-utc-with-offset"),
        pytest.param("2016-02-29T23:59:60Z", True, id="end-of-a-leap-february"),
        pytest.param("2016-12-30T23:59:60Z", False, id="day-before-the-end"),
    ],
)
def test_leap_seconds_end_a_month(value, conforms):
    assert FORMAT_CHECKER.conforms(value, "date-time") is conforms
