"""The Aura fake behaves as Aura's docs say (seeds/004 Get lead by ID, the overview's error envelope)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from contracts.fakes.aura import AuraFake
from contracts.vendors import get_vendor
from tests.fakes import assert_conforms, credentials, in_process_client, load_spec, schema_errors

VENDOR = get_vendor("aura")
SPEC = load_spec(VENDOR)
KEY = credentials(VENDOR, AuraFake.api_key)
RESPONSES = "/paths/~1v1~1leads~1{id}/get/responses"


@pytest.fixture
def fake() -> AuraFake:
    return AuraFake()


@pytest.fixture
def api(fake: AuraFake) -> Iterator[httpx.Client]:
    with in_process_client(fake, SPEC) as client:
        yield client


def read(api: httpx.Client, lead_id: str, headers: dict[str, str] = KEY) -> httpx.Response:
    return api.get(f"/v1/leads/{lead_id}", headers=headers)


def assert_envelope(body: dict[str, Any], code: str) -> None:
    assert set(body) == {"success", "error", "code", "requestId"}
    assert (body["success"], body["code"]) == (False, code)
    assert body["requestId"].startswith("req_")
    assert len(body["requestId"]) > len("req_")


@pytest.mark.parametrize(
    "headers",
    [
        pytest.param({}, id="no-header"),
        pytest.param({"Authorization": "Bearer aura_pk_live_0000000000000000000000000"}, id="unissued-key"),
        pytest.param({"Authorization": AuraFake.api_key}, id="no-bearer-prefix"),
        pytest.param({"X-API-Key": AuraFake.api_key}, id="x-api-key-header"),
    ],
)
def test_missing_or_invalid_key_gets_the_error_envelope_401(api, headers):
    response = read(api, AuraFake.known_lead_id, headers=headers)
    assert response.status_code == 401
    body = assert_conforms(SPEC, response)
    assert_envelope(body, "UNAUTHORIZED")
    assert schema_errors(SPEC, "#/components/schemas/UnauthorizedError", body) == []


def test_known_lead_validates(api):
    response = read(api, AuraFake.known_lead_id)
    assert response.status_code == 200
    body = assert_conforms(SPEC, response)
    assert body["success"] is True
    lead = body["data"]
    docs = SPEC.resolve_pointer(f"{RESPONSES}/200/content/application~1json/examples/docs")
    example = docs["value"]["data"]
    assert set(lead) == set(example)  # every field the page shows, and no other
    for name in ("id", "email", "full_name", "company", "phone", "status", "timezone", "created_at", "updated_at"):
        assert lead[name] == example[name], name


@pytest.mark.parametrize(
    "lead_id",
    [
        pytest.param("00000000-0000-4000-8000-000000000000", id="unknown-uuid"),
        pytest.param("550E8400-E29B-41D4-A716-446655440001", id="unknown-uppercase-uuid"),
    ],
)
def test_unknown_lead_gets_the_documented_404(api, lead_id):
    response = read(api, lead_id)
    assert response.status_code == 404
    body = assert_conforms(SPEC, response)
    assert_envelope(body, "NOT_FOUND")
    docs = SPEC.resolve_pointer(f"{RESPONSES}/404/content/application~1json/examples/docs")["value"]
    assert {**body, "requestId": docs["requestId"]} == docs


@pytest.mark.parametrize(
    "lead_id",
    [
        pytest.param("not-a-uuid", id="words"),
        pytest.param("550e8400e29b41d4a716446655440000", id="no-hyphens"),
        pytest.param("550e8400-e29b-41d4-a716-44665544000", id="one-digit-short"),
        pytest.param("{550e8400-e29b-41d4-a716-446655440000}", id="braces"),
        pytest.param("550e8400-e29b-41d4-a716-446655440000%0A", id="trailing-newline"),
        pytest.param("lead_1ed7d637", id="another-vendors-id"),
    ],
)
def test_malformed_id_gets_a_400_with_the_error_envelope(api, lead_id):
    """The page types the id "Lead ID (UUID)"; a malformed one gets the overview's error envelope with a 400."""
    response = read(api, lead_id)
    assert response.status_code == 400
    body = assert_conforms(SPEC, response)
    assert_envelope(body, "VALIDATION_ERROR")
    assert schema_errors(SPEC, "#/components/schemas/BadRequestError", body) == []


def test_a_malformed_id_without_a_key_is_refused_for_the_key_first(api):
    response = read(api, "not-a-uuid", headers={})
    assert response.status_code == 401
    assert_envelope(response.json(), "UNAUTHORIZED")


def test_request_ids_differ_between_requests(api):
    first = read(api, "00000000-0000-4000-8000-000000000000").json()["requestId"]
    second = read(api, "00000000-0000-4000-8000-000000000000").json()["requestId"]
    assert first != second


def test_reset_restores_the_seeded_state(api, fake):
    before = read(api, AuraFake.known_lead_id).json()
    del fake.leads[AuraFake.known_lead_id]
    assert read(api, AuraFake.known_lead_id).status_code == 404
    fake.reset()
    assert read(api, AuraFake.known_lead_id).json() == before
