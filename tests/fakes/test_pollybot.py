"""The PollyBot fake behaves as PollyBot's docs say (seeds/001 Get Lead, authentication page)."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from contracts.fakes.pollybot import PollyBotFake
from contracts.vendors import get_vendor
from tests.fakes import assert_conforms, credentials, in_process_client, load_spec, schema_errors

VENDOR = get_vendor("pollybot")
SPEC = load_spec(VENDOR)
KEY = credentials(VENDOR, PollyBotFake.api_key)
RESPONSES = "/paths/~1api~1v1~1leads~1{leadId}/get/responses"


def docs_example(status: int) -> dict[str, Any]:
    """The body the primary page shows for ``status``, as embedded in the spec (a copy: tests change it)."""
    example: dict[str, Any] = SPEC.resolve_pointer(f"{RESPONSES}/{status}/content/application~1json/examples/docs")[
        "value"
    ]
    return copy.deepcopy(example)


@pytest.fixture
def fake() -> PollyBotFake:
    return PollyBotFake()


@pytest.fixture
def api(fake: PollyBotFake) -> Iterator[httpx.Client]:
    with in_process_client(fake, SPEC) as client:
        yield client


def read(api: httpx.Client, lead_id: str, headers: dict[str, str] = KEY) -> httpx.Response:
    return api.get(f"/api/v1/leads/{lead_id}", headers=headers)


def test_key_format_is_the_documented_one():
    assert PollyBotFake.api_key.startswith("sk-workspace_")
    assert len(PollyBotFake.api_key) == 64


def test_missing_header_gets_missing_auth_header_401(api):
    response = read(api, PollyBotFake.known_lead_id, headers={})
    assert response.status_code == 401
    body = assert_conforms(SPEC, response)
    assert body == {"success": False, "error": "Missing authorization header", "code": "MISSING_AUTH_HEADER"}
    assert schema_errors(SPEC, "#/components/schemas/MissingAuthHeaderError", body) == []


@pytest.mark.parametrize(
    "headers",
    [
        pytest.param({"Authorization": "Bearer sk-workspace_" + "0" * 51}, id="unissued-key"),
        pytest.param({"Authorization": PollyBotFake.api_key}, id="no-bearer-prefix"),
        pytest.param({"Authorization": f"Basic {PollyBotFake.api_key}"}, id="basic-scheme"),
        pytest.param({"Authorization": "Bearer "}, id="empty-token"),
    ],
)
def test_invalid_key_gets_an_error_envelope_401(api, headers):
    response = read(api, PollyBotFake.known_lead_id, headers=headers)
    assert response.status_code == 401
    body = assert_conforms(SPEC, response)
    assert body["success"] is False
    assert body["code"] != "MISSING_AUTH_HEADER"
    assert isinstance(body["error"], str)
    assert body["error"] != ""
    assert schema_errors(SPEC, "#/components/schemas/InvalidApiKeyError", body) == []


def test_known_lead_is_the_docs_example(api):
    response = read(api, PollyBotFake.known_lead_id)
    assert response.status_code == 200
    body = assert_conforms(SPEC, response)
    expected = docs_example(200)
    assert body["data"].pop("workspaceId").startswith("ws_")
    expected["data"].pop("workspaceId")
    assert body == expected


def test_unknown_well_formed_id_gets_the_documented_404(api):
    response = read(api, "lead_nonexistent123")
    assert response.status_code == 404
    assert assert_conforms(SPEC, response) == docs_example(404)


@pytest.mark.parametrize("lead_id", ["lead_nonexistent123", "lead_0", "lead_ABCdef987"])
def test_a_404_names_the_id_that_was_asked_for(api, lead_id):
    """details.leadId is the id of the request ("No lead found with this ID"; the "unknown id" probe checks it)."""
    response = read(api, lead_id)
    assert response.status_code == 404
    body = assert_conforms(SPEC, response)
    assert body["details"] == {**docs_example(404)["details"], "leadId": lead_id}


def test_docs_malformed_id_gets_the_documented_400(api):
    response = read(api, "invalid-id")
    assert response.status_code == 400
    assert assert_conforms(SPEC, response) == docs_example(400)


@pytest.mark.parametrize(
    ("raw", "lead_id"),
    [
        pytest.param("lead_", "lead_", id="nothing-after-prefix"),
        pytest.param("lead_abc-def", "lead_abc-def", id="hyphen"),
        pytest.param("LEAD_abc", "LEAD_abc", id="upper-prefix"),
        pytest.param("1234567890abcdef", "1234567890abcdef", id="no-prefix"),
        pytest.param("lead_%C3%A9t%C3%A9", "lead_été", id="non-ascii"),
        pytest.param("lead_abc%20", "lead_abc ", id="trailing-space"),
        pytest.param("lead_abc%0A", "lead_abc\n", id="trailing-newline"),
        pytest.param("lead_a%2Fb", "lead_a/b", id="encoded-slash"),
    ],
)
def test_malformed_id_gets_400_invalid_id_format_with_details(api, fake, raw, lead_id):
    fake.leads[lead_id] = {**fake.leads[PollyBotFake.known_lead_id], "id": lead_id}  # format wins over existence
    response = read(api, raw)
    assert response.status_code == 400
    body = assert_conforms(SPEC, response)
    assert body["code"] == "INVALID_ID_FORMAT"
    assert body["details"] == {**docs_example(400)["details"], "leadId": lead_id}


def test_reset_restores_the_seeded_state(api, fake):
    before = read(api, PollyBotFake.known_lead_id).json()
    fake.leads[PollyBotFake.known_lead_id]["name"] = "Changed"
    fake.leads["lead_extra1"] = {**fake.leads[PollyBotFake.known_lead_id], "id": "lead_extra1"}
    assert read(api, "lead_extra1").status_code == 200
    fake.reset()
    assert read(api, "lead_extra1").status_code == 404
    assert read(api, PollyBotFake.known_lead_id).json() == before
