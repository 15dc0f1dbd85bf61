"""The DialNexa fake behaves as DialNexa's docs say (seeds/002 Get a campaign lead, authentication page)."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from contracts.fakes.dialnexa import DialNexaFake
from contracts.vendors import get_vendor
from tests.fakes import assert_conforms, credentials, in_process_client, load_spec, schema_errors

VENDOR = get_vendor("dialnexa")
SPEC = load_spec(VENDOR)
KEY = credentials(VENDOR, DialNexaFake.api_key)
MEDIA = "/paths/~1campaigns-leads~1{id}/get/responses/200/content/application~1json"
UNAUTHORIZED = {"statusCode": 401, "message": "Unauthorized", "error": "Unauthorized"}


@pytest.fixture
def fake() -> DialNexaFake:
    return DialNexaFake()


@pytest.fixture
def api(fake: DialNexaFake) -> Iterator[httpx.Client]:
    with in_process_client(fake, SPEC) as client:
        yield client


def read(api: httpx.Client, lead_id: str, headers: dict[str, str] = KEY) -> httpx.Response:
    return api.get(f"/campaigns-leads/{lead_id}", headers=headers)


def test_keys_have_the_documented_key_id_secret_form():
    for key in (DialNexaFake.api_key, DialNexaFake.restricted_key):
        assert key is not None
        key_id, sep, secret = key.partition(":")
        assert (sep, key_id != "", secret != "") == (":", True, True)


@pytest.mark.parametrize(
    "headers",
    [
        pytest.param({}, id="no-header"),
        pytest.param({"Authorization": "Bearer key_00000000:0000000000"}, id="unissued-key"),
        pytest.param({"Authorization": "Bearer " + DialNexaFake.api_key.partition(":")[0]}, id="key-id-only"),
        pytest.param({"x-api-key": DialNexaFake.api_key}, id="x-api-key-header"),
        pytest.param({"Authorization": DialNexaFake.api_key}, id="no-bearer-prefix"),
    ],
)
def test_missing_or_invalid_key_gets_the_documented_401(api, headers):
    response = read(api, DialNexaFake.known_lead_id, headers=headers)
    assert response.status_code == 401
    assert assert_conforms(SPEC, response) == UNAUTHORIZED


@pytest.mark.parametrize(
    "lead_id",
    [pytest.param(DialNexaFake.known_lead_id, id="known"), pytest.param("lead_000000000000", id="unknown")],
)
def test_restricted_key_gets_403(api, lead_id):
    assert DialNexaFake.restricted_key is not None
    response = read(api, lead_id, headers=credentials(VENDOR, DialNexaFake.restricted_key))
    assert response.status_code == 403
    body = assert_conforms(SPEC, response)
    assert (body["statusCode"], body["error"]) == (403, "Forbidden")
    assert schema_errors(SPEC, "#/components/schemas/ForbiddenError", body) == []


def test_known_lead_is_the_docs_first_example(api):
    response = read(api, DialNexaFake.known_lead_id)
    assert response.status_code == 200
    assert assert_conforms(SPEC, response) == SPEC.resolve_pointer(f"{MEDIA}/examples/docs")["value"]


def test_pending_lead_without_call_log_validates(api):
    """The Response-section example's lead, with notes and name as the field list has them."""
    response = read(api, "lead_m4b7zx9nq2pw")
    assert response.status_code == 200
    body = assert_conforms(SPEC, response)
    example = SPEC.resolve_pointer(f"{MEDIA}/x-invalid-examples/response-section")["value"]
    assert (body["status"], body["call_log_id"], body["notes"]) == ("pending", None, example["metadata"])


@pytest.mark.parametrize(
    "lead_id",
    [
        pytest.param("lead_000000000000", id="unknown"),
        pytest.param("cmp_5tw8vz2rnx1q", id="docs-path-example-campaign-id"),
    ],
)
def test_unknown_lead_gets_404(api, lead_id):
    response = read(api, lead_id)
    assert response.status_code == 404
    body = assert_conforms(SPEC, response)
    assert (body["statusCode"], body["error"]) == (404, "Not Found")
    assert schema_errors(SPEC, "#/components/schemas/NotFoundError", body) == []


def test_removed_lead_gets_404(api, fake):
    removed = [lead_id for lead_id, lead in fake.leads.items() if lead["status"] == "removed"]
    assert removed != []
    for lead_id in removed:
        response = read(api, lead_id)
        assert response.status_code == 404
        assert assert_conforms(SPEC, response)["statusCode"] == 404
    fake.leads[DialNexaFake.known_lead_id]["status"] = "removed"
    assert read(api, DialNexaFake.known_lead_id).status_code == 404


def test_reset_restores_the_seeded_state(api, fake):
    before = read(api, DialNexaFake.known_lead_id).json()
    fake.leads[DialNexaFake.known_lead_id]["status"] = "removed"
    fake.leads["lead_extra"] = {**before, "id": "lead_extra"}
    fake.reset()
    assert read(api, "lead_extra").status_code == 404
    assert read(api, DialNexaFake.known_lead_id).json() == before
