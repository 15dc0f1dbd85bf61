"""The DialNexa fake behaves as DialNexa's docs say (seeds/002 Get a campaign lead, authentication page)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from contracts.fakes._core import FakeRequest
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


# -- issue 10: campaign-lead writes (Mintlify create, update, delete, upload pages) --------------------------------

CAMPAIGN = DialNexaFake.fixtures["campaign_id"]
WORKFLOW = DialNexaFake.fixtures["workflow_id"]
STARTED = DialNexaFake.fixtures["started_lead_id"]
COMPLETED_CAMPAIGN_LEAD = DialNexaFake.fixtures["completed_campaign_lead_id"]
WRONG_TYPE = "File must be a CSV or Excel file (.csv, .xlsx, .xls)"
NEW_LEAD = {
    "name": "Ada",
    "phoneNumber": "5550100",
    "countryCode": "+1",
    "campaignId": CAMPAIGN,
    "notes": {"product": "home_loan", "customer_name": "Ada"},
}


def create(api: httpx.Client, **changes: object) -> dict[str, Any]:
    response = api.post("/campaigns-leads", json={**NEW_LEAD, **changes}, headers=KEY)
    assert response.status_code == 201, response.text
    lead: dict[str, Any] = assert_conforms(SPEC, response)
    return lead


def upload(
    api: httpx.Client, path: str, content: bytes, filename: str = "leads.csv", media_type: str = "text/csv"
) -> httpx.Response:
    return api.post(path, files={"file": (filename, content, media_type)}, headers=KEY)


def test_the_fixtures_name_seeded_records(fake):
    assert fake.campaigns[CAMPAIGN]["status"] == "paused"
    assert fake.leads[STARTED]["status"] == "in_progress"
    completed = fake.leads[COMPLETED_CAMPAIGN_LEAD]
    assert fake.campaigns[completed["campaign_id"]]["status"] == "completed"
    assert WORKFLOW in fake.workflows


def test_create_answers_201_with_the_snake_case_record_in_e164(api):
    lead = create(api)
    assert lead["phone_number"] == "+15550100"
    assert (lead["name"], lead["campaign_id"], lead["status"], lead["call_log_id"]) == (
        "Ada",
        CAMPAIGN,
        "pending",
        None,
    )
    assert lead["notes"] == NEW_LEAD["notes"]
    assert assert_conforms(SPEC, read(api, str(lead["id"]))) == lead


@pytest.mark.parametrize(
    ("body", "status"),
    [
        pytest.param({"name": "Ada"}, 400, id="no-phone-no-campaign"),
        pytest.param({**NEW_LEAD, "phoneNumber": 5550100}, 400, id="phone-not-a-string"),
        pytest.param({**NEW_LEAD, "phoneNumber": "555-0100"}, 400, id="phone-not-digits"),
        pytest.param({**NEW_LEAD, "notes": {f"k{i}": "v" for i in range(16)}}, 400, id="sixteen-notes"),
        pytest.param({**NEW_LEAD, "campaignId": "cmp_000000000000"}, 404, id="unknown-campaign"),
    ],
)
def test_create_refusals(api, body, status):
    response = api.post("/campaigns-leads", json=body, headers=KEY)
    assert response.status_code == status
    assert assert_conforms(SPEC, response)["statusCode"] == status


def test_create_validation_lists_every_failing_field(api):
    response = api.post("/campaigns-leads", json={"name": 1}, headers=KEY)
    message = assert_conforms(SPEC, response)["message"]
    assert isinstance(message, list)
    assert len(message) == 4


def test_update_changes_only_what_it_names(api):
    lead = create(api)
    response = api.patch(f"/campaigns-leads/{lead['id']}", json={"name": "Grace"}, headers=KEY)
    assert response.status_code == 200
    assert assert_conforms(SPEC, response) == {**lead, "name": "Grace"}
    assert read(api, str(lead["id"])).json() == {**lead, "name": "Grace"}


def test_update_of_the_number_keeps_the_other_half(api):
    lead = create(api)
    updated = api.patch(f"/campaigns-leads/{lead['id']}", json={"countryCode": "+44"}, headers=KEY).json()
    assert updated["phone_number"] == "+445550100"
    updated = api.patch(f"/campaigns-leads/{lead['id']}", json={"phoneNumber": "5550199"}, headers=KEY).json()
    assert updated["phone_number"] == "+445550199"
    updated = api.patch(f"/campaigns-leads/{lead['id']}", json={"phone_number": "+15550142"}, headers=KEY).json()
    assert updated["phone_number"] == "+15550142"


@pytest.mark.parametrize("field", ["notes", "metadata"])
def test_update_replaces_the_notes_object(api, field):
    """The table: metadata "replaces the existing object"; the curl body calls the same object notes."""
    lead = create(api)
    response = api.patch(f"/campaigns-leads/{lead['id']}", json={field: {"loan_amount": "1"}}, headers=KEY)
    assert assert_conforms(SPEC, response)["notes"] == {"loan_amount": "1"}


def test_update_is_refused_once_a_call_has_started(api, fake):
    before = read(api, STARTED).json()
    response = api.patch(f"/campaigns-leads/{STARTED}", json={"name": "Other"}, headers=KEY)
    assert response.status_code == 409
    assert assert_conforms(SPEC, response)["error"] == "Conflict"
    assert read(api, STARTED).json() == before


@pytest.mark.parametrize("lead_id", ["lead_000000000000", "lead_r3moved0000"])
def test_update_and_delete_of_a_missing_or_removed_lead_are_404(api, lead_id):
    for response in (
        api.patch(f"/campaigns-leads/{lead_id}", headers=KEY),  # an empty body is an empty update
        api.delete(f"/campaigns-leads/{lead_id}", headers=KEY),
    ):
        assert response.status_code == 404
        assert assert_conforms(SPEC, response)["statusCode"] == 404


def test_delete_removes_then_reads_and_deletes_give_404(api):
    lead = create(api)
    response = api.delete(f"/campaigns-leads/{lead['id']}", headers=KEY)
    assert response.status_code == 200
    assert assert_conforms(SPEC, response) == {"message": "Lead removed from campaign."}
    assert read(api, str(lead["id"])).status_code == 404
    assert api.delete(f"/campaigns-leads/{lead['id']}", headers=KEY).status_code == 404


def test_delete_in_a_completed_campaign_is_409_and_keeps_the_lead(api):
    response = api.delete(f"/campaigns-leads/{COMPLETED_CAMPAIGN_LEAD}", headers=KEY)
    assert response.status_code == 409
    assert assert_conforms(SPEC, response)["statusCode"] == 409
    assert read(api, COMPLETED_CAMPAIGN_LEAD).status_code == 200


def test_upload_counts_created_and_skipped_rows(api, fake):
    before = len(fake.leads)
    content = b"phone_number,customer_name\n+15550101,Ada\n+15550102,Grace\n+15550103,Edsger\nnot-a-number,Nobody\n"
    response = upload(api, f"/campaigns-leads/upload-file/{CAMPAIGN}", content)
    assert response.status_code == 201
    body = assert_conforms(SPEC, response)
    assert (body["campaign_id"], body["leads_created"], body["leads_skipped"]) == (CAMPAIGN, 3, 1)
    created = list(fake.leads.values())[before:]
    assert [(lead["phone_number"], lead["notes"], lead["status"]) for lead in created] == [
        ("+15550101", {"customer_name": "Ada"}, "pending"),
        ("+15550102", {"customer_name": "Grace"}, "pending"),
        ("+15550103", {"customer_name": "Edsger"}, "pending"),
    ]


@pytest.mark.parametrize(
    ("content", "filename", "media_type", "message"),
    [
        pytest.param(
            b"name\nAda\n", "leads.csv", "text/csv", "The file must have a phone_number column", id="no-phone"
        ),
        pytest.param(b"phone_number\n+15550101\n", "leads.txt", "text/plain", WRONG_TYPE, id="wrong-type"),
        pytest.param(
            ("phone_number," + ",".join(f"c{i}" for i in range(16)) + "\n").encode(),
            "leads.csv",
            "text/csv",
            "At most 15 columns besides phone_number",
            id="sixteen-variables",
        ),
    ],
)
def test_upload_refusals(api, content, filename, media_type, message):
    response = upload(api, f"/campaigns-leads/upload-file/{CAMPAIGN}", content, filename, media_type)
    assert response.status_code == 400
    assert assert_conforms(SPEC, response)["message"] == message


def test_upload_with_a_blocked_destination_is_400_with_grouped_row_errors(api, fake):
    before = len(fake.leads)
    content = b"phone_number\n+15550101\n+8821234567\n+8831234567\n"
    response = upload(api, f"/campaigns-leads/upload-file/{CAMPAIGN}", content)
    assert response.status_code == 400
    message = assert_conforms(SPEC, response)["message"]
    assert message == ["Destination blocked by the Telephony Config: row 3 (+8821234567), row 4 (+8831234567)"]
    assert len(fake.leads) == before


def test_upload_needs_a_file_and_a_known_campaign(api):
    response = api.post(f"/campaigns-leads/upload-file/{CAMPAIGN}", data={"other": "x"}, files={}, headers=KEY)
    assert response.status_code == 400
    response = upload(api, "/campaigns-leads/upload-file/cmp_000000000000", b"phone_number\n+15550101\n")
    assert response.status_code == 404
    assert assert_conforms(SPEC, response)["statusCode"] == 404


# -- issue 10: workflow leads (DialNexa's published OpenAPI) -------------------------------------------------------


def test_workflow_lead_upload_list_history_keys_and_delete(api):
    leads = f"/workflows/{WORKFLOW}/leads"
    response = upload(api, leads, b"phone_number,customer_name\n+15550104,Ada\n+15550104,Ada again\nbad,x\n")
    assert response.status_code == 201
    body = assert_conforms(SPEC, response)
    assert (body["statusCode"], body["message"], body["count"]) == (201, "Leads uploaded successfully", 2)
    assert list(body["data"]) == ["+15550104"]
    first, second = body["data"]["+15550104"]
    listed = assert_conforms(SPEC, api.get(leads, params={"leadIds": f"{first}, {second}"}, headers=KEY))
    assert ([lead["id"] for lead in listed["data"]], listed["count"]) == ([first, second], 2)
    history = assert_conforms(SPEC, api.get(f"{leads}/{first}/history", headers=KEY))
    assert (history["data"]["lead"]["id"], history["data"]["history"]) == (first, [])
    keys = assert_conforms(SPEC, api.get(f"{leads}/variable-keys", headers=KEY))
    assert keys["data"]["keys"] == ["customer_name"]
    removed = api.delete(f"{leads}/{first}", headers=KEY)
    assert assert_conforms(SPEC, removed) == {"statusCode": 200, "message": "Lead removed successfully"}
    again = api.delete(f"{leads}/{first}", headers=KEY)
    assert again.status_code == 404
    assert assert_conforms(SPEC, again)["message"] == "Workflow lead not found"
    assert [lead["id"] for lead in api.get(leads, params={"leadIds": first}, headers=KEY).json()["data"]] == []


def test_the_seeded_workflow_lead_has_a_history(api):
    response = api.get(f"/workflows/{WORKFLOW}/leads/lead_wfseed00001/history", headers=KEY)
    history = assert_conforms(SPEC, response)["data"]["history"]
    assert [entry["node_type"] for entry in history] == ["VOICE_CALL"]


def test_workflow_upload_of_a_wrong_file_type_is_400(api):
    response = upload(api, f"/workflows/{WORKFLOW}/leads", b"hello", "leads.txt", "text/plain")
    assert response.status_code == 400
    assert assert_conforms(SPEC, response)["message"] == WRONG_TYPE


@pytest.mark.parametrize(
    ("workflow", "status", "message"),
    [
        pytest.param("workflow_000000000000", 404, "Workflow not found", id="unknown"),
        pytest.param("workflow_otherorg01", 403, "You do not have permission to access this workflow", id="other-org"),
    ],
)
def test_unknown_and_foreign_workflows(api, workflow, status, message):
    for response in (
        api.get(f"/workflows/{workflow}/leads", headers=KEY),
        api.get(f"/workflows/{workflow}/leads/variable-keys", headers=KEY),
        api.get(f"/workflows/{workflow}/leads/lead_abc123/history", headers=KEY),
        api.delete(f"/workflows/{workflow}/leads/lead_abc123", headers=KEY),
        upload(api, f"/workflows/{workflow}/leads", b"phone_number\n+15550101\n"),
    ):
        assert response.status_code == status
        assert assert_conforms(SPEC, response)["message"] == message


def test_variable_keys_is_its_own_resource_not_a_lead_id(api):
    assert api.delete(f"/workflows/{WORKFLOW}/leads/variable-keys", headers=KEY).json()["message"] == (
        "Workflow lead not found"
    )
    response = api.request("OPTIONS", f"/workflows/{WORKFLOW}/leads/variable-keys", headers=KEY)
    assert (response.status_code, response.headers["Allow"]) == (405, "GET")


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("POST", "/campaigns-leads"),
        ("PATCH", "/campaigns-leads/lead_000000000000"),
        ("DELETE", "/campaigns-leads/lead_000000000000"),
        ("POST", "/campaigns-leads/upload-file/cmp_000000000000"),
        ("GET", "/workflows/workflow_000000000000/leads"),
        ("DELETE", "/workflows/workflow_000000000000/leads/lead_000000000000"),
    ],
)
def test_every_new_operation_wants_the_key(api, method, path):
    response = api.request(method, path)
    assert response.status_code == 401
    assert assert_conforms(SPEC, response) == UNAUTHORIZED


def test_reset_forgets_what_was_written(api, fake):
    lead = create(api)
    upload(api, f"/workflows/{WORKFLOW}/leads", b"phone_number\n+15550101\n")
    fake.reset()
    assert read(api, str(lead["id"])).status_code == 404
    assert api.get(f"/workflows/{WORKFLOW}/leads", headers=KEY).json()["count"] == 1


def test_form_file_reads_one_part_of_a_multipart_body():
    """``FakeRequest.form_file`` (contracts/fakes/_core.py): the named file part, or None."""
    request = httpx.Request(
        "POST", "https://x/y", files={"file": ("a.csv", b"phone_number\r\n+15550101\n", "text/csv")}, data={"k": "v"}
    )
    fake_request = FakeRequest("POST", "/y", {k.lower(): v for k, v in request.headers.items()}, {}, request.read())
    assert fake_request.form_file("file") == ("a.csv", "text/csv", b"phone_number\r\n+15550101\n")
    assert fake_request.form_file("missing") is None
    assert FakeRequest("POST", "/y", {"content-type": "application/json"}, {}, b"{}").form_file("file") is None
