"""The Nexor fake behaves as Nexor's docs say (seeds/000 Get Lead, seeds/003 Create Lead, authentication page)."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from contracts.fakes._core import Quirk
from contracts.fakes.nexor import CAMPAIGN, NexorFake
from contracts.vendors import get_vendor
from tests.fakes import assert_conforms, credentials, in_process_client, load_spec, schema_errors

VENDOR = get_vendor("nexor")
SPEC = load_spec(VENDOR)
KEY = credentials(VENDOR, NexorFake.api_key)
WORKFLOW_ID = NexorFake.fixtures["workflow_id"]
UNKNOWN_WORKFLOW_ID = "9d8c7b6a-5f4e-4d3c-8b2a-1f0e9d8c7b6a"


@pytest.fixture
def fake() -> NexorFake:
    return NexorFake()


@pytest.fixture
def api(fake: NexorFake) -> Iterator[httpx.Client]:
    with in_process_client(fake, SPEC) as client:
        yield client


def create(api: httpx.Client, body: Any) -> httpx.Response:
    return api.post("/leads", json=body, headers=KEY)


def strip_ids(value: Any) -> Any:
    """The value without its uuid members (the docs' example has the placeholder "uuid" there)."""
    if isinstance(value, dict):
        return {k: strip_ids(v) for k, v in value.items() if k not in ("id", "workflow_id")}
    return value


# -- authentication (authentication page, research-notes §1) -------------------------------------

MISSING_KEY = {"error": "Missing API key", "message": "Please provide your API key in the X-API-Key header"}
INVALID_KEY = {"error": "Invalid API key", "message": "The provided API key is not valid"}


@pytest.mark.parametrize(
    ("headers", "expected", "schema"),
    [
        pytest.param({}, MISSING_KEY, "MissingApiKeyError", id="no-header"),
        pytest.param({"X-API-Key": ""}, MISSING_KEY, "MissingApiKeyError", id="empty-header"),
        pytest.param(
            {"Authorization": f"Bearer {NexorFake.api_key}"}, MISSING_KEY, "MissingApiKeyError", id="bearer-instead"
        ),
        pytest.param({"X-API-Key": VENDOR.invalid_key}, INVALID_KEY, "InvalidApiKeyError", id="unissued-key"),
        pytest.param({"X-API-Key": NexorFake.api_key + "x"}, INVALID_KEY, "InvalidApiKeyError", id="altered-key"),
    ],
)
@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        pytest.param("GET", f"/leads/{NexorFake.known_lead_id}", None, id="get"),
        pytest.param("POST", "/leads", {"first_name": "Ada"}, id="post"),
    ],
)
def test_bad_credentials_get_the_documented_401(api, fake, headers, expected, schema, method, path, body):
    response = api.request(method, path, headers=headers, json=body)
    assert response.status_code == 401
    assert assert_conforms(SPEC, response) == expected
    assert schema_errors(SPEC, f"#/components/schemas/{schema}", response.json()) == []
    assert list(fake.leads) == [NexorFake.known_lead_id]  # nothing was created


# -- GET /leads/{id} ------------------------------------------------------------------------------


def test_known_lead_is_the_docs_example(api):
    response = api.get(f"/leads/{NexorFake.known_lead_id}", headers=KEY)
    assert response.status_code == 200
    body = assert_conforms(SPEC, response)
    example = SPEC.resolve_pointer(
        "/paths/~1leads~1{id}/get/responses/200/content/application~1json/x-invalid-examples/docs"
    )
    assert body["id"] == NexorFake.known_lead_id
    # The fake has one workflow, named as on the create page ("Sales Outreach", not "Sales Pipeline"), and shows
    # the lead's tags as the newer Get Lead page does ("tags": [] there; an optional, contested member).
    expected = {
        **strip_ids(example["value"]),
        "workflow": {"name": "Sales Outreach", "goal_type": "appointment"},
        "tags": [],
    }
    assert strip_ids(body) == expected
    assert body["activeWorkflowRun"]["workflow_id"] == body["workflow"]["id"] == WORKFLOW_ID


def test_unknown_lead_gets_the_documented_404(api):
    response = api.get("/leads/00000000-0000-4000-8000-000000000000", headers=KEY)
    assert response.status_code == 404
    assert assert_conforms(SPEC, response) == {"error": "Lead not found"}


@pytest.mark.parametrize(
    "lead_id",
    [
        pytest.param("not-a-uuid", id="word"),
        pytest.param(VENDOR.probe("malformed id").path_params["id"], id="the-probe's"),
        pytest.param(NexorFake.known_lead_id[:-1], id="truncated-known-id"),
        pytest.param("{" + NexorFake.known_lead_id + "}", id="braced"),
        pytest.param("%0A", id="encoded-newline"),
    ],
)
def test_malformed_id_gets_the_validation_400(api, lead_id):
    """Get Lead types the id as string (uuid); Nexor answers validation errors with 400 {error, message}."""
    response = api.get(f"/leads/{lead_id}", headers=KEY)
    assert response.status_code == 400
    error = assert_conforms(SPEC, response)
    assert set(error) == {"error", "message"}
    assert "id" in error["message"]


def test_malformed_id_is_still_refused_without_a_key_first(api):
    response = api.get("/leads/not-a-uuid")
    assert response.status_code == 401
    assert assert_conforms(SPEC, response) == MISSING_KEY


# -- POST /leads: validation ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "field"),
    [
        pytest.param({}, "first_name", id="empty"),
        pytest.param({"last_name": "Doe", "email": "john@example.com"}, "first_name", id="no-first-name"),
        pytest.param({"first_name": 5}, "first_name", id="first-name-not-string"),
        pytest.param({"first_name": None}, "first_name", id="first-name-null"),
        pytest.param({"first_name": "John", "email": "a@"}, "email", id="email-a-at"),
        pytest.param({"first_name": "John", "email": "not-an-email"}, "email", id="email-no-at"),
        pytest.param({"first_name": "John", "workflow_id": "uuid-of-workflow"}, "workflow_id", id="workflow-not-uuid"),
        pytest.param({"first_name": "John", "campaign_id": "uuid-of-campaign"}, "campaign_id", id="campaign-not-uuid"),
        pytest.param(
            {"first_name": "John", "campaign_id": "{123e4567-e89b-12d3-a456-426614174001}"},
            "campaign_id",
            id="campaign-braced-uuid",
        ),
        pytest.param({"first_name": "John", "metadata": ["a"]}, "metadata", id="metadata-not-object"),
        # "Values can be strings, numbers, or booleans" (the metadata row); extras are metadata values too.
        pytest.param({"first_name": "John", "metadata": {"a": {"b": 1}}}, "metadata", id="metadata-value-object"),
        pytest.param({"first_name": "John", "metadata": {"a": [1]}}, "metadata", id="metadata-value-array"),
        pytest.param({"first_name": "John", "metadata": {"a": None}}, "metadata", id="metadata-value-null"),
        pytest.param({"first_name": "John", "edad": {"years": 35}}, "metadata", id="extra-value-object"),
        pytest.param({"first_name": "John", "tags": ["vip"]}, "metadata", id="extra-value-array"),
        pytest.param(
            {"first_name": "John", "edad": None, "metadata": {"edad": 35}},
            "metadata",
            id="extra-null-hidden-by-metadata",
        ),
        pytest.param(
            {"first_name": "John", "force_first_message": {"text": "Hi"}}, "workflow_id", id="force-without-workflow"
        ),
    ],
)
def test_invalid_create_gets_400_and_creates_nothing(api, fake, body, field):
    response = create(api, body)
    assert response.status_code == 400
    error = assert_conforms(SPEC, response)
    assert set(error) == {"error", "message"}
    assert field in error["message"]
    assert list(fake.leads) == [NexorFake.known_lead_id]


def test_body_that_is_not_json_gets_400(api):
    response = api.post("/leads", content=b"{first_name: John", headers={**KEY, "Content-Type": "application/json"})
    assert response.status_code == 400
    assert set(assert_conforms(SPEC, response)) == {"error", "message"}


# -- POST /leads: what is created -----------------------------------------------------------------


def test_post_then_get_returns_what_was_sent(api):
    sent = {
        "first_name": "Ada",
        "last_name": "Lovelace",
        "email": "ada@example.com",
        "phone": "+15550100",
        "campaign_id": CAMPAIGN["id"],
        "metadata": {"edad": 36, "vip": True},
    }
    response = create(api, sent)
    assert response.status_code in (200, 201)
    created = assert_conforms(SPEC, response)
    assert created["success"] is True
    lead = created["lead"]
    assert {k: lead[k] for k in ("first_name", "last_name", "email", "phone", "metadata")} == {
        k: sent[k] for k in ("first_name", "last_name", "email", "phone", "metadata")
    }
    assert (lead["source"], lead["company"], lead["title"]) == ("api", None, None)
    assert "workflow_run" not in created
    assert "warning" not in created

    read = api.get(f"/leads/{lead['id']}", headers=KEY)
    assert read.status_code == 200
    body = assert_conforms(SPEC, read)
    assert {k: body[k] for k in lead} == lead
    assert body["campaign"] == {"id": CAMPAIGN["id"], "name": CAMPAIGN["name"]}
    assert (body["activeWorkflowRun"], body["workflow"], body["currentStatus"], body["assigned_user"]) == (
        None,
        None,
        None,
        None,
    )


def test_only_first_name_is_needed(api):
    response = create(api, {"first_name": "Solo"})
    assert response.status_code in (200, 201)
    lead = assert_conforms(SPEC, response)["lead"]
    assert (lead["first_name"], lead["last_name"], lead["email"], lead["phone"], lead["metadata"]) == (
        "Solo",
        None,
        None,
        None,
        {},
    )


def test_every_create_makes_a_new_lead(api, fake):
    first = create(api, {"first_name": "Twin", "email": "twin@example.com"}).json()["lead"]["id"]
    second = create(api, {"first_name": "Twin", "email": "twin@example.com"}).json()["lead"]["id"]
    assert first != second
    assert set(fake.leads) == {NexorFake.known_lead_id, first, second}


@pytest.mark.parametrize(
    ("body", "metadata"),
    [
        pytest.param({"first_name": "Tony", "edad": 35, "broker": "Tony"}, {"edad": 35, "broker": "Tony"}, id="docs"),
        pytest.param(
            {"first_name": "Tony", "metadata": {"edad": 35, "broker": "Tony"}},
            {"edad": 35, "broker": "Tony"},
            id="docs-explicit-equivalent",
        ),
        pytest.param(
            {"first_name": "Tony", "edad": 35, "broker": "Tony", "metadata": {"edad": 40, "notas": "WhatsApp"}},
            {"edad": 40, "broker": "Tony", "notas": "WhatsApp"},
            id="merged-explicit-wins",
        ),
        pytest.param(
            {"first_name": "Tony", "company": "Acme", "source": "web", "title": "CEO"},
            {"company": "Acme", "source": "web", "title": "CEO"},
            id="non-core-lead-fields-are-extras",
        ),
        pytest.param(
            {"first_name": "Tony", "last_name": "Stark", "email": "tony@example.com", "phone": "+1555"},
            {},
            id="core-columns-not-mapped",
        ),
    ],
)
def test_unknown_top_level_keys_are_mapped_into_metadata(api, body, metadata):
    response = create(api, body)
    assert response.status_code in (200, 201)
    lead = assert_conforms(SPEC, response)["lead"]
    assert lead["metadata"] == metadata
    assert (lead["source"], lead["company"], lead["title"]) == ("api", None, None)
    read = assert_conforms(SPEC, api.get(f"/leads/{lead['id']}", headers=KEY))
    assert read["metadata"] == metadata


def test_metadata_values_of_every_documented_type_are_kept(api):
    body = {"first_name": "Tony", "broker": "Tony", "edad": 35, "score": 0.5, "vip": True, "metadata": {"ok": False}}
    response = create(api, body)
    assert response.status_code in (200, 201)
    metadata = assert_conforms(SPEC, response)["lead"]["metadata"]
    assert metadata == {"broker": "Tony", "edad": 35, "score": 0.5, "vip": True, "ok": False}


def test_core_columns_quirk_copies_them_into_metadata():
    """The self-tests' switch for a vendor that maps core columns too (seeds/003 line 49 says it must not)."""
    fake = NexorFake(defects=[Quirk(name="core_columns_in_metadata")])
    with in_process_client(fake, SPEC) as client:
        response = client.post("/leads", json={"first_name": "Tony", "phone": "+1555", "edad": 35}, headers=KEY)
    assert response.status_code in (200, 201)
    assert response.json()["lead"]["metadata"] == {"first_name": "Tony", "phone": "+1555", "edad": 35}


def test_workflow_with_call_steps_and_phone_starts_a_run(api):
    response = create(api, {"first_name": "Ada", "phone": "+15550100", "workflow_id": WORKFLOW_ID})
    assert response.status_code in (200, 201)
    created = assert_conforms(SPEC, response)
    run = created["workflow_run"]
    assert "warning" not in created
    assert run["workflow"]["id"] == WORKFLOW_ID
    assert run["cadence"]["stepIndex"] == 0
    assert run["cadence"]["channel"] == "call"
    assert run["cadence"]["attemptNumber"] == 1
    read = assert_conforms(SPEC, api.get(f"/leads/{created['lead']['id']}", headers=KEY))
    assert read["activeWorkflowRun"]["id"] == run["id"]
    assert read["activeWorkflowRun"]["workflow_id"] == WORKFLOW_ID
    assert read["workflow"]["id"] == WORKFLOW_ID


@pytest.mark.parametrize(
    "body",
    [
        pytest.param({"first_name": "Ada", "workflow_id": WORKFLOW_ID}, id="call-steps-without-phone"),
        pytest.param({"first_name": "Ada", "phone": "+15550100", "workflow_id": UNKNOWN_WORKFLOW_ID}, id="unknown"),
    ],
)
def test_lead_that_cannot_be_assigned_is_created_with_a_warning(api, fake, body):
    response = create(api, body)
    assert response.status_code in (200, 201)
    created = assert_conforms(SPEC, response)
    assert "workflow_run" not in created
    assert isinstance(created["warning"], str)
    assert created["warning"] != ""
    assert created["lead"]["id"] in fake.leads
    read = assert_conforms(SPEC, api.get(f"/leads/{created['lead']['id']}", headers=KEY))
    assert read["activeWorkflowRun"] is None


def test_force_first_message_with_workflow_is_accepted(api):
    body = {"first_name": "Ada", "phone": "+15550100", "workflow_id": WORKFLOW_ID, "force_first_message": {"x": 1}}
    response = create(api, body)
    assert response.status_code in (200, 201)
    created = assert_conforms(SPEC, response)
    assert created["workflow_run"]["workflow"]["id"] == WORKFLOW_ID
    assert created["lead"]["metadata"] == {}  # a core column, not an extra


def test_reset_restores_the_seeded_state(api, fake):
    created = create(api, {"first_name": "Temp", "phone": "+15550100", "workflow_id": WORKFLOW_ID}).json()
    lead_id = created["lead"]["id"]
    before = api.get(f"/leads/{NexorFake.known_lead_id}", headers=KEY).json()
    fake.leads[NexorFake.known_lead_id]["first_name"] = "Changed"
    fake.reset()
    assert api.get(f"/leads/{lead_id}", headers=KEY).status_code == 404
    assert list(fake.leads) == [NexorFake.known_lead_id]
    after = api.get(f"/leads/{NexorFake.known_lead_id}", headers=KEY)
    assert after.status_code == 200
    assert after.json() == before
    assert after.json()["first_name"] == "Carlos"


# -- PUT and PATCH /leads/{id} (update-lead and patch-lead pages, research-notes §1) ------------------------

CAMPAIGN_ID = NexorFake.fixtures["campaign_id"]
UNKNOWN_ID = "00000000-0000-4000-8000-000000000000"


def created(api: httpx.Client, **body: Any) -> dict[str, Any]:
    response = create(api, {"first_name": "Ada", **body})
    assert response.status_code == 201
    lead: dict[str, Any] = response.json()["lead"]
    return lead


def read(api: httpx.Client, lead_id: str) -> dict[str, Any]:
    response = api.get(f"/leads/{lead_id}", headers=KEY)
    assert response.status_code == 200
    body: dict[str, Any] = assert_conforms(SPEC, response)
    return body


@pytest.mark.parametrize("method", ["PUT", "PATCH"])
def test_an_update_changes_only_the_fields_sent(api, method):
    lead = created(api, last_name="Lovelace", email="ada@example.com", phone="+15550100", metadata={"edad": 36})
    response = api.request(method, f"/leads/{lead['id']}", json={"company": "Engines"}, headers=KEY)
    assert response.status_code == 200
    body = assert_conforms(SPEC, response)
    assert body["success"] is True
    assert body["lead"] == {**lead, "company": "Engines", "campaign_id": None}
    after = read(api, lead["id"])
    assert {key: after[key] for key in lead} == {**lead, "company": "Engines"}


@pytest.mark.parametrize("method", ["PUT", "PATCH"])
def test_every_documented_field_can_be_set_and_the_nullable_ones_cleared(api, method):
    lead = created(api, last_name="Lovelace", email="ada@example.com", phone="+15550100")
    update = {
        "first_name": "Augusta",
        "last_name": None,
        "email": None,
        "phone": None,
        "company": "Engines",
        "title": None,
        "source": "import",
    }
    response = api.request(method, f"/leads/{lead['id']}", json=update, headers=KEY)
    assert response.status_code == 200
    assert {key: assert_conforms(SPEC, response)["lead"][key] for key in update} == update


def test_metadata_is_shallow_merged(api):
    lead = created(api, metadata={"a": 1, "b": "x"})
    response = api.patch(f"/leads/{lead['id']}", json={"metadata": {"b": "y", "c": 3}}, headers=KEY)
    assert assert_conforms(SPEC, response)["lead"]["metadata"] == {"a": 1, "b": "y", "c": 3}
    assert read(api, lead["id"])["metadata"] == {"a": 1, "b": "y", "c": 3}


def test_campaign_id_assigns_and_null_removes_the_campaign(api):
    lead = created(api)
    assigned = api.patch(f"/leads/{lead['id']}", json={"campaign_id": CAMPAIGN_ID}, headers=KEY)
    assert assert_conforms(SPEC, assigned)["lead"]["campaign_id"] == CAMPAIGN_ID
    assert read(api, lead["id"])["campaign"] == CAMPAIGN
    removed = api.put(f"/leads/{lead['id']}", json={"campaign_id": None}, headers=KEY)
    assert assert_conforms(SPEC, removed)["lead"]["campaign_id"] is None
    assert read(api, lead["id"])["campaign"] is None


@pytest.mark.parametrize(
    ("body", "field"),
    [
        pytest.param({"first_name": None}, "first_name", id="first_name-null"),
        pytest.param({"last_name": 5}, "last_name", id="last_name-number"),
        pytest.param({"email": "not-an-email"}, "email", id="email-format"),
        pytest.param({"campaign_id": "uuid-of-campaign"}, "campaign_id", id="campaign-format"),
        pytest.param({"metadata": "x"}, "metadata", id="metadata-not-object"),
        pytest.param({"metadata": {"a": {"b": 1}}}, "metadata", id="metadata-nested"),
        pytest.param(["first_name"], "object", id="not-an-object"),
    ],
)
def test_an_invalid_update_gets_400_and_changes_nothing(api, body, field):
    lead = created(api)
    response = api.patch(f"/leads/{lead['id']}", json=body, headers=KEY)
    assert response.status_code == 400
    assert field in assert_conforms(SPEC, response)["message"]
    assert {key: value for key, value in read(api, lead["id"]).items() if key in lead} == lead


@pytest.mark.parametrize("method", ["PUT", "PATCH"])
def test_an_update_of_an_unknown_lead_is_404_whatever_the_body(api, method):
    for body in ({"first_name": "X"}, {"first_name": None}, None):
        response = api.request(method, f"/leads/{UNKNOWN_ID}", json=body, headers=KEY)
        assert response.status_code == 404
        assert assert_conforms(SPEC, response) == {"error": "Lead not found"}


def test_an_update_of_a_malformed_id_is_400(api):
    response = api.patch("/leads/not-a-uuid", json={"first_name": "X"}, headers=KEY)
    assert response.status_code == 400
    assert "id" in assert_conforms(SPEC, response)["message"]


@pytest.mark.parametrize(
    ("method", "path"),
    [
        pytest.param("PATCH", f"/leads/{NexorFake.known_lead_id}", id="patch"),
        pytest.param("PUT", f"/leads/{NexorFake.known_lead_id}", id="put"),
        pytest.param("PUT", "/leads/tags", id="tags"),
        pytest.param("POST", f"/leads/{NexorFake.known_lead_id}/status", id="status"),
    ],
)
def test_the_new_operations_need_the_key(api, fake, method, path):
    before = copy.deepcopy(fake.leads)
    for headers, expected in (({}, MISSING_KEY), ({"X-API-Key": VENDOR.invalid_key}, INVALID_KEY)):
        response = api.request(method, path, json={"first_name": "X", "tags": [], "status_key": "won"}, headers=headers)
        assert response.status_code == 401
        assert assert_conforms(SPEC, response) == expected
    assert fake.leads == before


# -- PUT /leads/tags ("Patch Tags", research-notes §1) ------------------------------------------------------


def set_tags(api: httpx.Client, body: Any) -> httpx.Response:
    return api.put("/leads/tags", json=body, headers=KEY)


def test_tags_are_the_full_set(api):
    lead = created(api, email="ada@example.com")
    first = assert_conforms(SPEC, set_tags(api, {"lead_id": lead["id"], "tags": ["a", "b"]}))
    assert first["success"] is True
    assert first["lead_id"] == lead["id"]
    assert [tag["name"] for tag in first["tags"]] == ["a", "b"]
    assert first["added"] == [tag["id"] for tag in first["tags"]]
    assert first["removed"] == []
    tag_a, tag_b = first["tags"]
    second = assert_conforms(SPEC, set_tags(api, {"lead_id": lead["id"], "tags": ["b"]}))
    assert (second["tags"], second["added"], second["removed"]) == ([tag_b], [], [tag_a["id"]])
    assert read(api, lead["id"])["tags"] == [tag_b]
    cleared = assert_conforms(SPEC, set_tags(api, {"lead_id": lead["id"], "tags": []}))
    assert (cleared["tags"], cleared["added"], cleared["removed"]) == ([], [], [tag_b["id"]])
    assert read(api, lead["id"])["tags"] == []


def test_tags_by_email_match_case_insensitively(api):
    lead = created(api, email="Ada.Lovelace@Example.com")
    body = assert_conforms(SPEC, set_tags(api, {"email": "ADA.LOVELACE@EXAMPLE.COM", "tags": ["vip"]}))
    assert body["lead_id"] == lead["id"]


def test_lead_id_wins_over_email(api):
    first = created(api, email="first@example.com")
    created(api, email="second@example.com")
    body = assert_conforms(SPEC, set_tags(api, {"lead_id": first["id"], "email": "second@example.com", "tags": ["x"]}))
    assert body["lead_id"] == first["id"]


@pytest.mark.parametrize(
    "body",
    [
        pytest.param({"lead_id": UNKNOWN_ID, "tags": []}, id="unknown-id"),
        pytest.param({"email": "nobody@example.com", "tags": []}, id="unknown-email"),
        pytest.param({"email": "", "tags": []}, id="empty-email-names-no-lead-without-one"),
    ],
)
def test_tags_of_an_unknown_lead_are_404(api, body):
    created(api)  # a lead without an email
    response = set_tags(api, body)
    assert response.status_code == 404
    assert assert_conforms(SPEC, response) == {"error": "Lead not found"}


@pytest.mark.parametrize(
    "body",
    [
        pytest.param({"lead_id": NexorFake.known_lead_id}, id="no-tags"),
        pytest.param({"lead_id": NexorFake.known_lead_id, "tags": "a"}, id="tags-not-a-list"),
        pytest.param({"lead_id": NexorFake.known_lead_id, "tags": [1]}, id="tag-not-a-string"),
        pytest.param({"tags": ["a"]}, id="no-lead"),
        pytest.param({"lead_id": "not-a-uuid", "tags": ["a"]}, id="malformed-lead-id"),
        pytest.param({"lead_id": None, "email": "carlos@example.com", "tags": ["a"]}, id="null-lead-id"),
        pytest.param({"email": 5, "tags": ["a"]}, id="email-not-a-string"),
    ],
)
def test_an_invalid_tags_body_gets_400(api, fake, body):
    response = set_tags(api, body)
    assert response.status_code == 400
    assert set(assert_conforms(SPEC, response)) == {"error", "message"}
    assert fake.lead_tags == {}


@pytest.mark.parametrize("method", ["GET", "PATCH", "POST", "DELETE"])
def test_leads_tags_is_its_own_resource(api, method):
    """No lead template takes "tags" for an id: other methods are 405 with Allow: PUT (POST is client code's)."""
    response = api.request(method, "/leads/tags", headers=KEY)
    assert response.status_code == 405
    assert response.headers["allow"] == "PUT"


# -- POST /leads/{id}/status (es/api/leads/set-status, research-notes §1) ---------------------------------

STATUS_KEY = NexorFake.fixtures["status_key"]


def in_workflow(api: httpx.Client) -> str:
    response = create(api, {"first_name": "Ana", "phone": "+15550101", "workflow_id": WORKFLOW_ID})
    assert "workflow_run" in response.json()
    lead_id: str = response.json()["lead"]["id"]
    return lead_id


def set_status(api: httpx.Client, lead_id: str, body: Any) -> httpx.Response:
    return api.post(f"/leads/{lead_id}/status", json=body, headers=KEY)


def test_a_status_change_reports_whether_it_changed(api):
    lead_id = in_workflow(api)
    first = assert_conforms(SPEC, set_status(api, lead_id, {"status_key": STATUS_KEY, "reason": "call went well"}))
    assert (first["success"], first["changed"], first["previous_status"], first["new_status"]) == (
        True,
        True,
        "new",
        STATUS_KEY,
    )
    assert first["workflow_run"]["workflow_id"] == WORKFLOW_ID
    assert "note" not in first
    again = assert_conforms(SPEC, set_status(api, lead_id, {"status_key": STATUS_KEY, "workflow_id": WORKFLOW_ID}))
    assert (again["changed"], again["previous_status"], again["new_status"]) == (False, STATUS_KEY, STATUS_KEY)
    assert again["workflow_run"] == first["workflow_run"]
    assert read(api, lead_id)["currentStatus"]["key"] == STATUS_KEY


@pytest.mark.parametrize(
    ("body", "words"),
    [
        pytest.param({"status_key": "no-such-status"}, "does not exist", id="unknown-status"),
        pytest.param({}, "status_key", id="no-status-key"),
        pytest.param({"status_key": 3}, "status_key", id="status-key-not-a-string"),
        pytest.param({"status_key": STATUS_KEY, "workflow_id": "x"}, "workflow_id", id="malformed-workflow"),
        pytest.param({"status_key": STATUS_KEY, "workflow_id": UNKNOWN_WORKFLOW_ID}, "run", id="other-workflow"),
    ],
)
def test_an_invalid_status_change_gets_400(api, body, words):
    lead_id = in_workflow(api)
    response = set_status(api, lead_id, body)
    assert response.status_code == 400
    assert words in assert_conforms(SPEC, response)["message"]
    assert read(api, lead_id)["currentStatus"]["key"] == "new"


def test_a_lead_in_no_workflow_has_no_status_to_set(api):
    response = set_status(api, created(api)["id"], {"status_key": STATUS_KEY})
    assert response.status_code == 400
    assert assert_conforms(SPEC, response)["error"] == "Validation error"


def test_a_status_change_of_an_unknown_lead_is_404(api):
    response = set_status(api, UNKNOWN_ID, {"status_key": STATUS_KEY})
    assert response.status_code == 404
    assert assert_conforms(SPEC, response) == {"error": "Lead not found"}


def test_reset_forgets_updates_tags_and_statuses(fake, api):
    lead_id = in_workflow(api)
    set_tags(api, {"lead_id": lead_id, "tags": ["a"]})
    set_status(api, lead_id, {"status_key": STATUS_KEY})
    fake.reset()
    assert list(fake.leads) == [NexorFake.known_lead_id]
    assert fake.lead_tags == {}
    assert fake.runs[NexorFake.known_lead_id]["status_key"] == "contacted"


# -- the quirks the self-tests break the documented behaviours with -------------------------------------


def quirky(name: str) -> tuple[NexorFake, httpx.Client]:
    fake = NexorFake(defects=[Quirk(name=name)])
    return fake, in_process_client(fake, SPEC)


def test_the_quirks_break_what_they_say():
    _, api = quirky("metadata_replaced")
    lead = created(api, metadata={"a": 1})
    assert api.patch(f"/leads/{lead['id']}", json={"metadata": {"b": 2}}, headers=KEY).json()["lead"]["metadata"] == {
        "b": 2
    }
    _, api = quirky("put_replaces")
    lead = created(api, last_name="Lovelace")
    assert api.put(f"/leads/{lead['id']}", json={"title": "X"}, headers=KEY).json()["lead"]["last_name"] is None
    _, api = quirky("tags_appended")
    lead = created(api)
    set_tags(api, {"lead_id": lead["id"], "tags": ["a"]})
    assert [tag["name"] for tag in set_tags(api, {"lead_id": lead["id"], "tags": ["b"]}).json()["tags"]] == ["a", "b"]
    _, api = quirky("email_case_sensitive")
    created(api, email="ada@example.com")
    assert set_tags(api, {"email": "ADA@example.com", "tags": []}).status_code == 404
    _, api = quirky("status_always_changed")
    lead_id = in_workflow(api)
    set_status(api, lead_id, {"status_key": STATUS_KEY})
    assert set_status(api, lead_id, {"status_key": STATUS_KEY}).json()["changed"] is True
