"""The Aura fake behaves as Aura's docs say (seeds/004 Get lead by ID, the overview's error envelope)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from contracts.fakes._core import Quirk
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


# -- the list, the create and the update (research-notes §4: the list, create and update pages) -----------------

NEW_LEAD = {"email": "ada@example.com", "full_name": "Ada Lovelace", "phone": "+14155550100", "company": "AE"}


def create(api: httpx.Client, body: Any, headers: dict[str, str] = KEY) -> httpx.Response:
    return api.post("/v1/leads", json=body, headers=headers)


def update(api: httpx.Client, lead_id: str, body: Any, headers: dict[str, str] = KEY) -> httpx.Response:
    return api.patch(f"/v1/leads/{lead_id}", json=body, headers=headers)


def walk(api: httpx.Client, **query: str) -> list[dict[str, Any]]:
    """Every page of the list, following next_cursor until has_more is false."""
    pages = []
    while True:
        response = api.get("/v1/leads", params=query, headers=KEY)
        assert response.status_code == 200
        body = assert_conforms(SPEC, response)
        pages.append(body)
        if not body["pagination"]["has_more"]:
            assert body["pagination"]["next_cursor"] is None
            return pages
        query = {**query, "cursor": body["pagination"]["next_cursor"]}
        assert len(pages) < 20


def test_create_answers_201_with_the_lead_as_sent_and_status_new(api):
    response = create(api, {**NEW_LEAD, "timezone": "Europe/London", "metadata": {"utmSource": "x", "mine": [1]}})
    assert response.status_code == 201
    body = assert_conforms(SPEC, response)
    lead = body["data"]
    assert body["success"] is True
    assert lead["status"] == "new"
    assert {key: lead[key] for key in NEW_LEAD} == NEW_LEAD
    assert lead["metadata"] == {"utmSource": "x", "mine": [1]}  # unknown keys accepted
    assert lead["notes"] == []
    assert read(api, lead["id"]).json() == {"data": lead, "success": True}


@pytest.mark.parametrize(
    "body",
    [
        pytest.param({"email": "ada@example.com"}, id="email-only"),
        pytest.param({"email": "ada@example.com", "metadata": None}, id="null-metadata"),
    ],
)
def test_create_takes_only_an_email(api, body):
    response = create(api, body)
    assert response.status_code == 201
    lead = assert_conforms(SPEC, response)["data"]
    assert (lead["full_name"], lead["phone"], lead["metadata"]) == (None, None, {})


@pytest.mark.parametrize(
    "body",
    [
        pytest.param({"full_name": "No Email"}, id="no-email"),
        pytest.param({"email": "not-an-email"}, id="bad-email"),
        pytest.param({"email": "ada@example.com", "phone": "555-0100"}, id="phone-not-e164"),
        pytest.param({"email": "ada@example.com", "phone": "+0123"}, id="phone-leading-zero"),
        pytest.param({"email": "ada@example.com", "full_name": 7}, id="name-not-a-string"),
        pytest.param({"email": "ada@example.com", "metadata": {"latitude": "north"}}, id="metadata-wrong-type"),
        pytest.param({"email": "ada@example.com", "metadata": []}, id="metadata-not-an-object"),
        pytest.param(["ada@example.com"], id="not-an-object"),
    ],
)
def test_create_refuses_what_the_page_does_not_allow(api, fake, body):
    before = len(fake.leads)
    response = create(api, body)
    assert response.status_code == 400
    assert_envelope(assert_conforms(SPEC, response), "VALIDATION_ERROR")
    assert len(fake.leads) == before


def test_update_changes_only_what_was_sent(api):
    lead = create(api, NEW_LEAD).json()["data"]
    response = update(api, lead["id"], {"company": "Difference Engines", "id": "ignored", "source": {}})
    assert response.status_code == 200
    updated = assert_conforms(SPEC, response)["data"]
    assert updated["company"] == "Difference Engines"
    unchanged = {key: value for key, value in updated.items() if key not in ("company", "updated_at")}
    assert unchanged == {key: value for key, value in lead.items() if key not in ("company", "updated_at")}
    assert read(api, lead["id"]).json()["data"] == updated


def test_update_replaces_the_whole_notes_array(api):
    lead_id = create(api, NEW_LEAD).json()["data"]["id"]
    update(api, lead_id, {"notes": [{"content": "n1"}, {"content": "n2", "user_id": "user_9"}]})
    notes = read(api, lead_id).json()["data"]["notes"]
    assert [(note["content"], note["user_id"]) for note in notes] == [("n1", "user_apikey"), ("n2", "user_9")]
    response = update(api, lead_id, {"notes": [{"content": "n3", "created_at": "2026-05-08T14:23:11.000Z"}]})
    assert_conforms(SPEC, response)
    assert read(api, lead_id).json()["data"]["notes"] == [
        {"content": "n3", "created_at": "2026-05-08T14:23:11.000Z", "user_id": "user_apikey"}
    ]


@pytest.mark.parametrize(
    ("lead_id", "body", "status", "code"),
    [
        pytest.param("00000000-0000-4000-8000-000000000000", {"company": "x"}, 404, "NOT_FOUND", id="unknown-id"),
        pytest.param("not-a-uuid", {"company": "x"}, 400, "VALIDATION_ERROR", id="malformed-id"),
        pytest.param(None, {"phone": "555"}, 400, "VALIDATION_ERROR", id="phone-not-e164"),
        pytest.param(None, {"email": "nope"}, 400, "VALIDATION_ERROR", id="bad-email"),
        pytest.param(None, {"notes": [{"user_id": "user_1"}]}, 400, "VALIDATION_ERROR", id="note-without-content"),
        pytest.param(None, {"notes": "n1"}, 400, "VALIDATION_ERROR", id="notes-not-an-array"),
        pytest.param(None, {"full_name": None}, 400, "VALIDATION_ERROR", id="null-name"),
        pytest.param(None, {"status": "qualified"}, 400, "VALIDATION_ERROR", id="status-the-docs-never-show"),
    ],
)
def test_update_refusals(api, lead_id, body, status, code):
    lead_id = lead_id or create(api, NEW_LEAD).json()["data"]["id"]
    response = update(api, lead_id, body)
    assert response.status_code == status
    assert_envelope(assert_conforms(SPEC, response), code)


@pytest.mark.parametrize("operation", ["list", "create", "update"])
def test_the_new_operations_need_the_key(api, operation):
    response = {
        "list": lambda: api.get("/v1/leads"),
        "create": lambda: create(api, NEW_LEAD, headers={}),
        "update": lambda: update(api, AuraFake.known_lead_id, {"company": "x"}, headers={}),
    }[operation]()
    assert response.status_code == 401
    assert_envelope(assert_conforms(SPEC, response), "UNAUTHORIZED")


def test_the_list_walks_every_lead_once_newest_first_in_pages_of_the_limit(api, fake):
    created = [create(api, {"email": f"walk{n}@example.com"}).json()["data"]["id"] for n in range(3)]
    pages = walk(api, limit="2")
    ids = [lead["id"] for page in pages for lead in page["data"]]
    assert all(len(page["data"]) <= 2 for page in pages)
    assert "success" not in pages[0]  # the list page shows {data, pagination} only
    assert sorted(ids) == sorted(fake.leads)  # each once
    assert ids[:3] == created[::-1]  # newest first
    assert len(walk(api)[0]["data"]) == len(fake.leads)  # the default limit, 50, holds them all


def test_the_list_filters(api):
    create(api, {"email": "filter@example.com"})
    assert [page["data"] for page in walk(api, status="qualified", limit="2")] == [[]]
    assert len([lead for page in walk(api, status="new", limit="2") for lead in page["data"]]) == 5
    google = [lead for page in walk(api, source="google") for lead in page["data"]]
    assert google
    assert all(lead["source"]["utm_source"] == "google" for lead in google)
    assigned = [lead["id"] for page in walk(api, assigned_to_id="user_2abc") for lead in page["data"]]
    assert assigned == [AuraFake.known_lead_id]


@pytest.mark.parametrize(
    "query",
    [
        pytest.param({"limit": "101"}, id="limit-over-100"),
        pytest.param({"limit": "0"}, id="limit-zero"),
        pytest.param({"limit": "two"}, id="limit-not-a-count"),
        pytest.param({"cursor": "not-ours"}, id="cursor-never-given"),
        pytest.param({"assigned_to_id": "550e8400-e29b-41d4-a716-446655440000"}, id="assigned-to-a-uuid"),
    ],
)
def test_the_list_refuses_a_query_its_page_does_not_allow(api, query):
    response = api.get("/v1/leads", params=query, headers=KEY)
    assert response.status_code == 400
    assert_envelope(assert_conforms(SPEC, response), "VALIDATION_ERROR")


@pytest.mark.parametrize(
    ("quirk", "broken"),
    [
        pytest.param("cursor_loops", ["the walk does not end", "an item twice"], id="cursor-loops"),
        pytest.param("repeat_item", ["an item twice"], id="repeat-item"),
        pytest.param("page_over_limit", ["a page over the limit"], id="page-over-limit"),
        pytest.param("has_more_without_cursor", ["has_more with no cursor"], id="has-more-without-cursor"),
    ],
)
def test_list_quirks_break_the_paging(quirk, broken):
    fake = AuraFake(defects=[Quirk(name=quirk)])
    with in_process_client(fake, SPEC) as api:
        seen: list[str] = []
        query = {"limit": "2"}
        for _ in range(6):
            body = api.get("/v1/leads", params=query, headers=KEY).json()
            seen += [lead["id"] for lead in body["data"]]
            if len(body["data"]) > 2 or not body["pagination"]["has_more"] or body["pagination"]["next_cursor"] is None:
                break
            query = {**query, "cursor": body["pagination"]["next_cursor"]}
        pagination = body["pagination"]
        problems = {
            "the walk does not end": pagination["has_more"] and len(seen) > len(fake.leads),
            "an item twice": len(seen) != len(set(seen)),
            "a page over the limit": len(body["data"]) > 2,
            "has_more with no cursor": pagination["has_more"] and pagination["next_cursor"] is None,
        }
        assert [name for name, found in problems.items() if found] == broken


def test_quirks_of_the_update_and_the_limit():
    fake = AuraFake(defects=[Quirk(name="notes_appended"), Quirk(name="limit_typed_as_number")])
    with in_process_client(fake, SPEC) as api:
        lead_id = create(api, NEW_LEAD).json()["data"]["id"]
        update(api, lead_id, {"notes": [{"content": "n1"}]})
        update(api, lead_id, {"notes": [{"content": "n2"}]})
        assert [note["content"] for note in read(api, lead_id).json()["data"]["notes"]] == ["n1", "n2"]
        assert api.get("/v1/leads", params={"limit": "2"}, headers=KEY).status_code == 400
        assert api.get("/v1/leads", headers=KEY).status_code == 200


def test_reset_forgets_created_leads_and_updates(api, fake):
    lead_id = create(api, NEW_LEAD).json()["data"]["id"]
    fresh = AuraFake()
    fake.reset()
    assert read(api, lead_id).status_code == 404
    assert fake.leads == fresh.leads
    assert fake.order == fresh.order
