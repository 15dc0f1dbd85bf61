"""The machinery every fake shares (contracts/fakes/_core.py): routing, defects, faults, reset, adapters."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import httpx
import jsonpointer
import pytest

from contracts.fakes._core import (
    AcceptAnyKey,
    AddHeaders,
    DropField,
    DropHeader,
    EchoCredential,
    FakeRequest,
    FakeResponse,
    FakeVendor,
    Fault,
    Match,
    Quirk,
    RateLimit,
    ReplaceBody,
    ReplaceContentType,
    ReplaceStatus,
    Route,
    SetValue,
)
from contracts.fakes.aura import AuraFake
from contracts.fakes.dialnexa import DialNexaFake
from contracts.fakes.nexor import NexorFake
from contracts.serve import bind, build_app
from contracts.values.model import Vendor
from contracts.vendors import VENDORS, get_vendor
from tests.fakes import assert_conforms, credentials, in_process_client, load_spec, schema_errors, serve

NEXOR = get_vendor("nexor")
NEXOR_SPEC = load_spec(NEXOR)
NEXOR_KEY = credentials(NEXOR, NexorFake.api_key)
NEXOR_READ = "GET /leads/{id}"
KNOWN = f"/leads/{NexorFake.known_lead_id}"


def read_path(vendor: Vendor, raw_id: str) -> str:
    """The path (below the server URL) of the vendor's documented lead read for an already encoded id."""
    template = vendor.read_operation.split(" ", 1)[1]
    return template.replace("{" + vendor.id_parameter + "}", raw_id)


def valid_key(vendor: Vendor) -> dict[str, str]:
    return credentials(vendor, vendor.fake().api_key)


def nexor(*defects: Any, **kwargs: Any) -> httpx.Client:
    return in_process_client(NexorFake(defects=defects, **kwargs), NEXOR_SPEC)


# -- routing --------------------------------------------------------------------------------------


def _handler(request: FakeRequest, match: Match) -> FakeResponse:
    return FakeResponse(200, dict(match.params))


@pytest.mark.parametrize(
    ("template", "method", "path", "params"),
    [
        pytest.param("/leads/{id}", "GET", "/leads/abc", {"id": "abc"}, id="plain"),
        pytest.param("/leads/{id}", "GET", "/leads/a%2Fb", {"id": "a/b"}, id="encoded-slash-one-segment"),
        pytest.param("/leads/{id}", "GET", "/leads/a%20b%3F", {"id": "a b?"}, id="percent-decoded"),
        pytest.param("/leads/{id}", "GET", "/leads/a/b", None, id="real-slash-two-segments"),
        pytest.param("/leads/{id}", "GET", "/leads/", None, id="empty-segment"),
        pytest.param("/leads/{id}", "POST", "/leads/abc", None, id="other-method"),
        pytest.param("/campaigns-leads/{id}", "GET", "/campaigns-leads/x", {"id": "x"}, id="hyphen-literal"),
        pytest.param("/campaigns-leads/{id}", "GET", "/campaignsXleads/x", None, id="hyphen-not-a-pattern"),
        pytest.param("/a/{x}/b/{y}", "GET", "/a/1/b/2", {"x": "1", "y": "2"}, id="two-params"),
    ],
)
def test_route_matching(template, method, path, params):
    route = Route("GET", template, _handler)
    match = route.match(method, path)
    if params is None:
        assert match is None
    else:
        assert match is not None
        assert (match.operation, dict(match.params)) == (f"GET {template}", params)


@pytest.mark.parametrize(
    ("path", "below"),
    [
        pytest.param("/api/public/leads/x", "/leads/x", id="inside"),
        pytest.param("/api/public", "", id="the-prefix-itself"),
        pytest.param("/api/publicity/leads", None, id="longer-segment"),
        pytest.param("/leads/x", None, id="outside"),
    ],
)
def test_split_path(path, below):
    assert NexorFake().split_path(path) == below


def test_fake_request_helpers():
    request = FakeRequest("POST", "/leads", {"x-api-key": "k"}, {}, body=b"{not json")
    assert request.header("X-API-Key") == "k"
    assert request.header("Authorization") is None
    with pytest.raises(ValueError, match="Expecting property name"):
        request.json()
    assert FakeResponse(200, {"a": 1}).encode() == b'{"a": 1}'
    assert FakeResponse(204).encode() == b""
    assert FakeResponse(200, {"a": 1}, raw=b"raw").encode() == b"raw"


@pytest.mark.parametrize(
    ("url", "body"),
    [
        pytest.param("https://api.getnexor.ai/leads/x", {"error": "Not found"}, id="outside-server-path"),
        pytest.param("https://api.getnexor.ai/api/publicity/leads", {"error": "Not found"}, id="prefix-lookalike"),
        pytest.param("https://api.getnexor.ai/api/public/workflows", {"error": "Not found"}, id="unrouted-inside"),
    ],
)
def test_unknown_paths_get_404(url, body):
    with nexor() as api:
        response = api.get(url, headers=NEXOR_KEY)
    assert (response.status_code, response.json()) == (404, body)


@pytest.mark.parametrize(
    ("vendor", "path", "body"),
    [
        pytest.param(get_vendor("pollybot"), "/api/v1/chatbots/c1/webhooks", {"code": "NOT_FOUND"}, id="pollybot"),
        pytest.param(
            get_vendor("dialnexa"),
            "/campaigns",
            {"statusCode": 404, "message": "Cannot GET /campaigns", "error": "Not Found"},
            id="dialnexa",
        ),
        pytest.param(get_vendor("aura"), "/v1/webhooks", {"code": "NOT_FOUND"}, id="aura"),
    ],
)
def test_unrouted_paths_get_the_vendors_404_envelope(vendor, path, body):
    with in_process_client(vendor.fake(), load_spec(vendor)) as api:
        response = api.get(path, headers=valid_key(vendor))
    assert response.status_code == 404
    assert response.json().items() >= body.items()


def read_path_methods(vendor: Vendor) -> list[str]:
    """The methods the spec documents on the read operation's path (sorted, as the fakes' Allow lists them)."""
    spec = load_spec(vendor)
    path = spec.operation(vendor.read_operation).path
    return sorted(operation.method for operation in spec.operations if operation.path == path)


def undocumented_read_path_methods(vendor: Vendor) -> list[str]:
    """Methods the spec does not document on the read path (issue 10 documents DELETE and PATCH on some)."""
    return [method for method in ("DELETE", "POST", "PUT", "PATCH") if method not in read_path_methods(vendor)]


METHOD_NOT_ALLOWED = [
    # Nexor documents GET, PUT and PATCH on a lead (issue 10), and no DELETE (seen only in client code).
    pytest.param(NEXOR, "DELETE", KNOWN, "GET, PATCH, PUT", id="nexor-delete-lead"),
    pytest.param(NEXOR, "POST", KNOWN, "GET, PATCH, PUT", id="nexor-post-lead"),
    pytest.param(NEXOR, "GET", "/leads", "POST", id="nexor-get-leads"),
    pytest.param(NEXOR, "PUT", "/leads", "POST", id="nexor-put-leads"),
    *(
        pytest.param(
            vendor,
            method,
            read_path(vendor, vendor.fake().known_lead_id),
            ", ".join(read_path_methods(vendor)),
            id=f"{vendor.name}-{method.lower()}",
        )
        for vendor in VENDORS
        if vendor.name != "nexor"
        for method in undocumented_read_path_methods(vendor)[:2]
    ),
]


@pytest.mark.parametrize(("vendor", "method", "path", "allow"), METHOD_NOT_ALLOWED)
def test_wrong_method_on_a_known_path_gets_405_with_allow(vendor, method, path, allow):
    fake = vendor.fake()
    with in_process_client(fake, load_spec(vendor)) as api:
        response = api.request(method, path, headers=valid_key(vendor))
        assert response.status_code == 405
        assert response.headers["Allow"] == allow
        assert response.json() == {"error": "Method not allowed"}
        # The known lead is untouched (a refused DELETE deletes nothing).
        known = api.get(read_path(vendor, fake.known_lead_id), headers=valid_key(vendor))
        assert known.status_code == 200


# -- reset ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("vendor", VENDORS, ids=lambda vendor: vendor.name)
def test_reset_restores_the_seeded_state(vendor):
    fake = vendor.fake()
    spec = load_spec(vendor)
    path = read_path(vendor, fake.known_lead_id)
    with in_process_client(fake, spec) as api:
        before = api.get(path, headers=valid_key(vendor))
        assert before.status_code == 200
        fake.leads.clear()
        assert api.get(path, headers=valid_key(vendor)).status_code == 404
        fake.reset()
        after = api.get(path, headers=valid_key(vendor))
    assert after.status_code == 200
    assert assert_conforms(spec, after) == before.json()


# -- defects --------------------------------------------------------------------------------------


def test_set_value_breaks_one_fact_without_touching_state():
    defect = SetValue(operation=NEXOR_READ, status=200, pointer="/created_at", value="2024-01-01 10:00")
    fake = NexorFake(defects=[defect])
    with in_process_client(fake, NEXOR_SPEC) as api:
        body = api.get(KNOWN, headers=NEXOR_KEY).json()
    assert body["created_at"] == "2024-01-01 10:00"
    assert schema_errors(NEXOR_SPEC, "#/components/schemas/Lead", body) == [
        "$.created_at: '2024-01-01 10:00' is not a 'date-time'"
    ]
    assert fake.leads[NexorFake.known_lead_id]["created_at"] == "2026-02-10T12:00:00Z"


def test_set_value_can_add_a_member():
    with nexor(SetValue(pointer="/surprise", value={"a": 1})) as api:
        assert api.get(KNOWN, headers=NEXOR_KEY).json()["surprise"] == {"a": 1}


def test_drop_field_removes_a_required_member():
    with nexor(DropField(operation=NEXOR_READ, pointer="/email")) as api:
        body = api.get(KNOWN, headers=NEXOR_KEY).json()
    assert "email" not in body
    assert schema_errors(NEXOR_SPEC, "#/components/schemas/Lead", body) == ["$: 'email' is a required property"]


@pytest.mark.parametrize(
    "defect",
    [
        pytest.param(SetValue(operation="POST /leads", pointer="/first_name", value=1), id="other-operation"),
        pytest.param(SetValue(status=404, pointer="/first_name", value=1), id="other-status"),
    ],
)
def test_defects_apply_only_where_narrowed(defect):
    with nexor(defect) as api:
        response = api.get(KNOWN, headers=NEXOR_KEY)
    assert assert_conforms(NEXOR_SPEC, response)["first_name"] == "Carlos"


def test_replace_status_makes_an_undocumented_status():
    with nexor(ReplaceStatus(operation=NEXOR_READ, status=200, new_status=202)) as api:
        response = api.get(KNOWN, headers=NEXOR_KEY)
    assert response.status_code == 202
    assert NEXOR_SPEC.operation(NEXOR_READ).response_for(202) is None


def test_replace_content_type():
    with nexor(ReplaceContentType(content_type="text/plain")) as api:
        response = api.get(KNOWN, headers=NEXOR_KEY)
    assert response.headers["content-type"] == "text/plain"
    assert response.json()["id"] == NexorFake.known_lead_id


def test_defects_apply_to_refused_requests_too():
    body = {"detail": "nope"}
    with nexor(ReplaceBody(status=401, body=body), AddHeaders(status=401, headers={"X-Extra": "1"})) as api:
        refused = api.get(KNOWN)
        served = api.get(KNOWN, headers=NEXOR_KEY)
    assert (refused.status_code, refused.json(), refused.headers["X-Extra"]) == (401, body, "1")
    assert (served.status_code, "X-Extra" in served.headers) == (200, False)


@pytest.mark.parametrize(
    "headers",
    [pytest.param({}, id="no-key"), pytest.param({"X-API-Key": "wrong"}, id="wrong-key")],
)
def test_accept_any_key_serves_without_valid_credentials(headers):
    with nexor(AcceptAnyKey()) as api:
        response = api.get(KNOWN, headers=headers)
    assert response.status_code == 200
    assert response.json()["id"] == NexorFake.known_lead_id


def test_echo_credential_leaks_the_presented_key():
    with nexor(EchoCredential()) as api:
        response = api.get(KNOWN, headers=NEXOR_KEY)
    assert response.json()["echo"] == NexorFake.api_key
    assert f"token={NexorFake.api_key}" in response.headers["Link"]


@pytest.mark.parametrize(
    ("defects", "metadata"),
    [
        pytest.param((), {"edad": 35, "keep": 1}, id="documented-mapping"),
        pytest.param((Quirk(name="no_metadata_mapping"),), {"keep": 1}, id="quirk-drops-extras"),
        pytest.param((Quirk(name="another_quirk"),), {"edad": 35, "keep": 1}, id="other-quirk-ignored"),
    ],
)
def test_no_metadata_mapping_quirk(defects, metadata):
    with nexor(*defects) as api:
        response = api.post(
            "/leads", json={"first_name": "Tony", "edad": 35, "metadata": {"keep": 1}}, headers=NEXOR_KEY
        )
    assert response.json()["lead"]["metadata"] == metadata


# -- faults and rate limits -----------------------------------------------------------------------


def test_status_fault_is_served_the_given_number_of_times():
    with nexor(faults=[Fault("status", status=503, times=1, retry_after=2)]) as api:
        first = api.get(KNOWN, headers=NEXOR_KEY)
        second = api.get(KNOWN, headers=NEXOR_KEY)
    assert (first.status_code, first.headers["Retry-After"], first.json()) == (
        503,
        "2",
        {"error": "Service unavailable"},
    )
    assert second.status_code == 200


def test_fault_narrowed_to_another_operation_is_not_served():
    with nexor(faults=[Fault("status", operation="POST /leads", status=500)]) as api:
        assert api.get(KNOWN, headers=NEXOR_KEY).status_code == 200


@pytest.mark.parametrize(
    ("fault", "status", "content_type", "check"),
    [
        pytest.param(Fault("html", status=502), 502, "text/html", lambda c: c.startswith(b"<html>"), id="html"),
        pytest.param(Fault("non_json", status=500), 500, "application/json", lambda c: b"not json" in c, id="non-json"),
        pytest.param(Fault("huge", status=200, size=5000), 200, "application/json", lambda c: len(c) > 5000, id="huge"),
        pytest.param(Fault("status", status=429), 429, "application/json", lambda c: b"Too many" in c, id="429"),
    ],
)
def test_body_faults(fault, status, content_type, check):
    with nexor(faults=[fault]) as api:
        response = api.get(KNOWN, headers=NEXOR_KEY)
    assert (response.status_code, response.headers["content-type"]) == (status, content_type)
    assert check(response.content)


@pytest.mark.parametrize(
    ("kind", "error"),
    [
        pytest.param("timeout", httpx.ReadTimeout, id="timeout"),
        pytest.param("reset", httpx.ReadError, id="reset"),
        pytest.param("truncated", httpx.RemoteProtocolError, id="truncated"),
    ],
)
def test_transport_faults_raise_httpx_errors(kind, error):
    with nexor(faults=[Fault(kind)]) as api, pytest.raises(error):
        api.get(KNOWN, headers=NEXOR_KEY, timeout=httpx.Timeout(1.0, read=0.01))


def test_slow_fault_delays_and_times_out_past_the_read_timeout():
    with nexor(faults=[Fault("slow", delay=0.05)]) as api:
        started = time.monotonic()
        assert api.get(KNOWN, headers=NEXOR_KEY).status_code == 200
        assert time.monotonic() - started >= 0.05
        with pytest.raises(httpx.ReadTimeout):
            api.get(KNOWN, headers=NEXOR_KEY, timeout=httpx.Timeout(1.0, read=0.01))


def test_unknown_fault_kind_is_refused():
    with pytest.raises(ValueError, match="unknown fault 'flaky'"):
        Fault("flaky")


# vendor -> (the X-RateLimit-* headers its docs promise on every response, a 429 carries Retry-After, its 429 body)
RATE_LIMITED = {
    "nexor": ((), True, {"error": "Too many requests"}),
    "pollybot": (
        ("X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset", "X-RateLimit-Used"),
        False,
        {"success": False, "error": "Too many requests", "code": "RATE_LIMIT_EXCEEDED"},
    ),
    "dialnexa": (
        ("X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset"),
        True,
        {
            "statusCode": 429,
            "message": "Too many requests. Please slow down and retry after a moment.",
            "error": "Too Many Requests",
        },
    ),
    "aura": (
        ("X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset"),
        False,
        {"success": False, "error": "Too many requests", "code": "RATE_LIMITED", "requestId": "req_ratelimit"},
    ),
}


@pytest.mark.parametrize("vendor", VENDORS, ids=lambda vendor: vendor.name)
def test_rate_limit_answers_429_with_the_vendors_documented_body_and_headers(vendor):
    headers, retry_after, body = RATE_LIMITED[vendor.name]
    spec = load_spec(vendor)
    fake = vendor.fake(rate_limit=RateLimit(limit=2, window=60))
    with in_process_client(fake, spec) as api:
        responses = [api.get(read_path(vendor, fake.known_lead_id), headers=valid_key(vendor)) for _ in range(3)]
    assert [r.status_code for r in responses] == [200, 200, 429]
    assert responses[2].json() == body
    assert ("Retry-After" in responses[2].headers) is retry_after
    if retry_after:
        assert 1 <= int(responses[2].headers["Retry-After"]) <= 60
    assert "Retry-After" not in responses[1].headers
    assert sorted(name for name in responses[2].headers if name.startswith("x-ratelimit")) == sorted(
        name.lower() for name in headers
    )
    if headers:
        assert [r.headers["X-RateLimit-Remaining"] for r in responses] == ["1", "0", "0"]
        assert {r.headers["X-RateLimit-Limit"] for r in responses} == {"2"}
        assert 0 < int(responses[2].headers["X-RateLimit-Reset"]) - time.time() <= 61
    if "X-RateLimit-Used" in headers:
        assert [r.headers["X-RateLimit-Used"] for r in responses] == ["1", "2", "2"]
    if vendor.name != "nexor":  # Nexor documents no 429
        assert_conforms(spec, responses[2])


@pytest.mark.parametrize("vendor", VENDORS, ids=lambda vendor: vendor.name)
def test_every_response_carries_the_documented_rate_limit_headers(vendor):
    """Without an enforced limit too: the docs promise them on every response, whatever its status."""
    headers, _, _ = RATE_LIMITED[vendor.name]
    spec = load_spec(vendor)
    fake = vendor.fake()
    limit, _ = fake.documented_limit
    with in_process_client(fake, spec) as api:
        responses = [
            api.get(read_path(vendor, fake.known_lead_id), headers=valid_key(vendor)),
            api.get(read_path(vendor, fake.known_lead_id)),
            api.get(read_path(vendor, vendor.unknown_id), headers=valid_key(vendor)),
        ]
    assert [r.status_code for r in responses] == [200, 401, 404]
    for response in responses:
        assert sorted(name for name in response.headers if name.startswith("x-ratelimit")) == sorted(
            name.lower() for name in headers
        )
        assert_conforms(spec, response)
        if headers:
            assert (response.headers["X-RateLimit-Limit"], response.headers["X-RateLimit-Remaining"]) == (
                str(limit),
                str(limit - 1),
            )


def test_a_429_fault_is_the_vendors_documented_429_with_the_retry_after_it_asks_for():
    vendor = get_vendor("aura")
    fake = AuraFake(faults=[Fault("status", status=429, retry_after=3)])
    with in_process_client(fake, load_spec(vendor)) as api:
        response = api.get(read_path(vendor, fake.known_lead_id), headers=valid_key(vendor))
    assert (response.status_code, response.headers["Retry-After"]) == (429, "3")
    assert response.json() == RATE_LIMITED["aura"][2]
    assert_conforms(load_spec(vendor), response)


@pytest.mark.parametrize(
    ("defect", "header", "value"),
    [
        pytest.param(DropHeader(name="x-ratelimit-limit"), "X-RateLimit-Limit", None, id="drop"),
        pytest.param(AddHeaders(headers={"x-ratelimit-limit": "lots"}), "X-RateLimit-Limit", "lots", id="replace"),
    ],
)
def test_header_defects_change_the_rate_limit_headers(defect, header, value):
    vendor = get_vendor("dialnexa")
    fake = DialNexaFake(defects=[defect])
    with in_process_client(fake, load_spec(vendor)) as api:
        response = api.get(read_path(vendor, fake.known_lead_id), headers=valid_key(vendor))
    assert response.headers.get(header) == value
    assert response.headers["X-RateLimit-Remaining"] == "99"


def test_defects_apply_to_a_429():
    vendor = get_vendor("dialnexa")
    fake = DialNexaFake(
        rate_limit=RateLimit(limit=1, window=60),
        defects=[DropField(status=429, pointer="/statusCode"), DropHeader(status=429, name="Retry-After")],
    )
    with in_process_client(fake, load_spec(vendor)) as api:
        first, second = (api.get(read_path(vendor, fake.known_lead_id), headers=valid_key(vendor)) for _ in range(2))
    assert (first.status_code, second.status_code) == (200, 429)
    assert "statusCode" not in second.json()
    assert "Retry-After" not in second.headers
    assert first.json()["id"] == fake.known_lead_id


# -- the ASGI adapter, served by uvicorn on loopback ----------------------------------------------

SLASH_ID = "a%2Fb"
# Encoded control characters that a route pattern's `.*` does not match (schemathesis draws such ids).
ODD_IDS = ["S%0A%C2%B98%C3%AF%2A", "%0D%0A", "a%09b"]
IN_PROCESS_ORIGIN = "http://fake.invalid"
SLASH_EXPECTED = {
    # vendor: (status, pointer, value). A lead with the id "a/b" is seeded where the id format allows it;
    # PollyBot's and Nexor's formats do not, and their 400 names the decoded id; Aura's (a UUID) does not either, and
    # its 400 for a malformed id comes from the route (two segments would be unrouted: a 404). Either way "a%2Fb" is
    # one segment.
    "nexor": (400, "/message", "id must be a valid UUID, not 'a/b'"),
    "pollybot": (400, "/details/leadId", "lead_a/b"),
    "dialnexa": (200, "/id", "a/b"),
    "aura": (400, "/code", "VALIDATION_ERROR"),
}


def seed_slash_lead(vendor: Vendor, fake: FakeVendor) -> str:
    """Seed a copy of the known lead under the id "a/b"; returns the encoded id to request."""
    if vendor.name == "pollybot":
        return "lead_" + SLASH_ID
    if vendor.name == "aura":
        return SLASH_ID  # not a UUID: nothing to seed
    leads: dict[str, dict[str, Any]] = fake.leads  # type: ignore[attr-defined]
    leads["a/b"] = {**leads[fake.known_lead_id], "id": "a/b"}
    return SLASH_ID


def check_served(vendor: Vendor, fake: FakeVendor, base_url: str, mount: str) -> None:
    spec = load_spec(vendor)
    key = valid_key(vendor)
    with httpx.Client(base_url=base_url, timeout=5) as api:
        known = api.get(read_path(vendor, fake.known_lead_id), headers=key)
        assert known.status_code == 200
        assert_conforms(spec, known, mount=mount)

        refused = api.get(read_path(vendor, fake.known_lead_id))
        assert refused.status_code == 401
        assert_conforms(spec, refused, mount=mount)

        status, pointer, value = SLASH_EXPECTED[vendor.name]
        slash = api.get(read_path(vendor, seed_slash_lead(vendor, fake)), headers=key)
        assert slash.status_code == status
        assert jsonpointer.resolve_pointer(slash.json(), pointer) == value

        method = undocumented_read_path_methods(vendor)[0]
        wrong = api.request(method, read_path(vendor, fake.known_lead_id), headers=key)
        assert (wrong.status_code, wrong.headers["allow"]) == (405, ", ".join(read_path_methods(vendor)))

        for odd in ODD_IDS:
            # Answered by the fake, as in process, not by the HTTP server's router (a text/plain 404).
            path = read_path(vendor, odd)
            served = api.get(path, headers=key)
            in_process = fake.httpx_handler(
                httpx.Request("GET", f"{IN_PROCESS_ORIGIN}{fake.server_path}{path}", headers=key)
            )
            assert (served.status_code, served.headers["content-type"]) == (
                in_process.status_code,
                in_process.headers["content-type"],
            ), odd
            assert served.json().keys() == in_process.json().keys()  # values may carry a fresh request id
            assert_conforms(spec, served, mount=mount)


@pytest.mark.parametrize("vendor", VENDORS, ids=lambda vendor: vendor.name)
def test_fake_served_alone_by_uvicorn(vendor):
    fake = vendor.fake()
    with serve(fake.asgi_app()) as origin:
        check_served(vendor, fake, origin + fake.server_path, mount="")
        if fake.server_path:
            with httpx.Client(base_url=origin) as api:
                outside = api.get(read_path(vendor, fake.known_lead_id), headers=valid_key(vendor))
            assert outside.status_code == 404


@pytest.fixture(scope="module")
def mounted() -> Iterator[dict[str, Any]]:
    """Every fake served under /<vendor> by one uvicorn server, as ``contracts serve`` does."""
    sock = bind("127.0.0.1", 0)
    app, served = build_app(VENDORS, host="127.0.0.1", port=sock.getsockname()[1])
    with serve(app, sock):
        yield {item.vendor.name: item for item in served}


@pytest.mark.parametrize("vendor", VENDORS, ids=lambda vendor: vendor.name)
def test_fakes_mounted_by_build_app(mounted, vendor):
    item = mounted[vendor.name]
    assert item.base_url.endswith(f"/{vendor.name}{item.fake.server_path}")
    assert item.environment()[vendor.env("BASE_URL")] == item.base_url
    check_served(vendor, item.fake, item.base_url, mount=f"/{vendor.name}")


def test_nexor_create_then_read_over_http(mounted):
    item = mounted["nexor"]
    with httpx.Client(base_url=item.base_url, timeout=5) as api:
        sent = {"first_name": "Ada", "email": "ada@example.com", "edad": 36}
        created = api.post("/leads", json=sent, headers=NEXOR_KEY)
        assert created.status_code in (200, 201)
        lead = assert_conforms(NEXOR_SPEC, created, mount="/nexor")["lead"]
        read = api.get(f"/leads/{lead['id']}", headers=NEXOR_KEY)
    body = assert_conforms(NEXOR_SPEC, read, mount="/nexor")
    assert (body["first_name"], body["email"], body["metadata"]) == ("Ada", "ada@example.com", {"edad": 36})
