"""The PollyBot fake behaves as PollyBot's docs say (seeds/001 Get Lead, authentication page; the create, list,
update and delete pages as research-notes §2 quotes them)."""

from __future__ import annotations

import copy
import re
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from contracts.fakes._core import Quirk
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


# -- the other lead pages (research-notes §2): create, list, update, delete ---------------------------------------

CHATBOT = PollyBotFake.fixtures["chatbot_id"]
LEAD_ID_SHAPE = re.compile(r"lead_[0-9a-f]{16}")


def create(api: httpx.Client, body: Any, *, chatbot: str = CHATBOT, headers: dict[str, str] = KEY) -> httpx.Response:
    return api.post(f"/api/v1/chatbots/{chatbot}/leads", json=body, headers=headers)


def created(api: httpx.Client, **fields: Any) -> dict[str, Any]:
    """A lead created with ``fields`` (name and email filled in), as the create answered it."""
    response = create(api, {"name": "Ada", "email": f"ada{len(fields)}@example.com", **fields})
    assert response.status_code == 201, response.text
    data: dict[str, Any] = assert_conforms(SPEC, response)["data"]
    return data


def update(api: httpx.Client, lead_id: str, body: Any, headers: dict[str, str] = KEY) -> httpx.Response:
    return api.put(f"/api/v1/leads/{lead_id}", json=body, headers=headers)


def delete(api: httpx.Client, lead_id: str, headers: dict[str, str] = KEY) -> httpx.Response:
    return api.delete(f"/api/v1/leads/{lead_id}", headers=headers)


def listing(api: httpx.Client, headers: dict[str, str] = KEY, **query: Any) -> httpx.Response:
    return api.get("/api/v1/leads", params=query, headers=headers)


def test_a_create_answers_201_with_the_lead_as_sent_and_the_documented_defaults(api):
    sent = {
        "name": "Ada Lovelace",
        "email": "ada@example.com",
        "phone": "+1-555-010-0001",
        "source": "website",
        "status": "qualified",
        "metadata": {"plan": "basic", "interests": ["a", "b"], "nested": {"x": 1}},
    }
    response = create(api, sent)
    assert response.status_code == 201
    lead = assert_conforms(SPEC, response)["data"]
    assert LEAD_ID_SHAPE.fullmatch(lead["id"])
    assert {key: lead[key] for key in sent} == sent
    assert lead["workspaceId"].startswith("ws_")
    assert lead["createdAt"] == lead["updatedAt"]
    bare = created(api)
    assert (bare["phone"], bare["source"], bare["status"], bare["metadata"]) == (None, None, "new", {})
    assert read(api, lead["id"]).json() == {"success": True, "data": lead}


def test_created_ids_are_distinct_and_keys_the_page_does_not_name_are_ignored(api):
    first = created(api, company="Acme")
    second = created(api)
    assert first["id"] != second["id"]
    assert "company" not in first


@pytest.mark.parametrize(
    "body",
    [
        pytest.param({"email": "a@example.com"}, id="no-name"),
        pytest.param({"name": "Ada"}, id="no-email"),
        pytest.param({"name": "Ada", "email": "not-an-email"}, id="bad-email"),
        pytest.param({"name": "Ada", "email": "a@example.com", "status": "archived"}, id="status-outside-enum"),
        pytest.param({"name": "Ada", "email": "a@example.com", "phone": None}, id="null-phone"),
        pytest.param({"name": 5, "email": "a@example.com"}, id="name-not-a-string"),
        pytest.param({"name": "Ada", "email": "a@example.com", "metadata": []}, id="metadata-not-an-object"),
        pytest.param([{"name": "Ada", "email": "a@example.com"}], id="array-body"),
    ],
)
def test_an_invalid_create_is_refused_with_400_in_the_envelope(api, fake, body):
    before = dict(fake.leads)
    response = create(api, body)
    assert response.status_code == 400
    error = assert_conforms(SPEC, response)
    assert (error["success"], error["code"]) == (False, "VALIDATION_ERROR")
    assert fake.leads == before


def test_a_create_under_an_unknown_chatbot_is_404(api, fake):
    response = create(api, {"name": "Ada", "email": "a@example.com"}, chatbot="chatbot_other")
    assert response.status_code == 404
    assert assert_conforms(SPEC, response)["code"] == "CHATBOT_NOT_FOUND"
    assert list(fake.leads) == [PollyBotFake.known_lead_id]


@pytest.mark.parametrize(
    "send",
    [
        pytest.param(lambda api, h: create(api, {"name": "Ada", "email": "a@example.com"}, headers=h), id="create"),
        pytest.param(lambda api, h: listing(api, headers=h), id="list"),
        pytest.param(lambda api, h: update(api, PollyBotFake.known_lead_id, {"name": "X"}, headers=h), id="update"),
        pytest.param(lambda api, h: delete(api, PollyBotFake.known_lead_id, headers=h), id="delete"),
    ],
)
def test_every_lead_operation_needs_the_key(api, fake, send):
    before = copy.deepcopy(fake.leads)
    response = send(api, {})
    assert response.status_code == 401
    assert assert_conforms(SPEC, response)["code"] == "MISSING_AUTH_HEADER"
    assert send(api, {"Authorization": "Bearer sk-workspace_" + "0" * 51}).status_code == 401
    assert fake.leads == before


def test_an_update_changes_only_what_is_sent_and_returns_the_updated_lead(api):
    lead = created(api, phone="+1-555-010-0001", source="web", metadata={"plan": "basic"})
    response = update(api, lead["id"], {"status": "contacted"})
    assert response.status_code == 200
    updated = assert_conforms(SPEC, response)["data"]
    assert updated == {**lead, "status": "contacted", "updatedAt": updated["updatedAt"]}
    assert updated["updatedAt"] >= lead["updatedAt"]
    assert read(api, lead["id"]).json()["data"] == updated


def test_an_update_merges_metadata_and_replaces_its_arrays(api):
    """The update page: "metadata is merged; arrays inside metadata are replaced, not merged"."""
    lead = created(api, metadata={"a": 1, "arr": [1, 2], "keep": "k"})
    response = update(api, lead["id"], {"metadata": {"arr": [3], "b": 2}})
    assert response.status_code == 200
    assert assert_conforms(SPEC, response)["data"]["metadata"] == {"a": 1, "arr": [3], "keep": "k", "b": 2}
    assert read(api, lead["id"]).json()["data"]["metadata"] == {"a": 1, "arr": [3], "keep": "k", "b": 2}


def test_null_clears_a_field_and_a_metadata_key(api):
    """The update page: "sending null clears a field" (a cleared field is null: the lead object keeps it)."""
    lead = created(api, phone="+1-555-010-0001", source="web", metadata={"a": 1, "b": 2})
    response = update(api, lead["id"], {"phone": None, "metadata": {"a": None}})
    assert response.status_code == 200
    data = assert_conforms(SPEC, response)["data"]
    assert (data["phone"], data["source"], data["metadata"]) == (None, "web", {"b": 2})


@pytest.mark.parametrize(
    "body",
    [
        pytest.param({"name": None}, id="null-name"),
        pytest.param({"email": "nope"}, id="bad-email"),
        pytest.param({"status": "archived"}, id="status-outside-enum"),
        pytest.param({"metadata": "x"}, id="metadata-not-an-object"),
        pytest.param(["x"], id="array-body"),
    ],
)
def test_an_invalid_update_is_refused_with_400_and_changes_nothing(api, body):
    lead = created(api)
    response = update(api, lead["id"], body)
    assert response.status_code == 400
    assert assert_conforms(SPEC, response)["code"] == "VALIDATION_ERROR"
    assert read(api, lead["id"]).json()["data"] == lead


@pytest.mark.parametrize("send", [update, delete], ids=["update", "delete"])
def test_an_unknown_or_malformed_id_on_a_write_gets_get_leads_404_and_400(api, send):
    args = ({"name": "X"},) if send is update else ()
    missing = send(api, "lead_nonexistent123", *args)
    assert missing.status_code == 404
    assert assert_conforms(SPEC, missing) == docs_example(404)
    malformed = send(api, "invalid-id", *args)
    assert malformed.status_code == 400
    assert assert_conforms(SPEC, malformed) == docs_example(400)


def test_a_delete_is_permanent(api, fake):
    lead = created(api)
    response = delete(api, lead["id"])
    assert response.status_code == 200
    body = assert_conforms(SPEC, response)
    assert (body["success"], body["message"], body["data"]["id"]) == (True, "Lead deleted successfully", lead["id"])
    assert read(api, lead["id"]).status_code == 404
    assert delete(api, lead["id"]).status_code == 404
    assert update(api, lead["id"], {"name": "X"}).status_code == 404
    assert lead["id"] not in {item["id"] for item in listing(api, limit=100).json()["data"]["leads"]}
    assert PollyBotFake.known_lead_id in fake.leads


def test_the_list_pages_newest_first_with_consistent_pagination(api):
    ids = [created(api, name=f"Walker {n}")["id"] for n in range(5)]
    pages = []
    for page in (1, 2, 3, 4):
        response = listing(api, search="walker", limit=2, page=page)
        assert response.status_code == 200
        pages.append(assert_conforms(SPEC, response)["data"])
    assert [[item["id"] for item in page["leads"]] for page in pages] == [
        ids[::-1][0:2],
        ids[::-1][2:4],
        ids[::-1][4:],
        [],
    ]
    assert [page["pagination"] for page in pages] == [
        {"page": n, "limit": 2, "total": 5, "totalPages": 3, "hasNext": n < 3, "hasPrev": n > 1} for n in (1, 2, 3, 4)
    ]
    assert all("workspaceId" not in item for page in pages for item in page["leads"])


def test_the_list_defaults_to_page_one_and_shows_the_known_lead(api):
    data = assert_conforms(SPEC, listing(api))["data"]
    assert data["pagination"] == {
        "page": 1,
        "limit": 10,
        "total": 1,
        "totalPages": 1,
        "hasNext": False,
        "hasPrev": False,
    }
    assert [item["id"] for item in data["leads"]] == [PollyBotFake.known_lead_id]


def test_the_list_filters_by_status_and_source_and_searches_name_and_email(api):
    a = created(api, name="Alpha Person", email="alpha@example.com", status="qualified", source="web")
    b = created(api, name="Beta", email="BETA.person@example.com", status="lost", source="ads")

    def ids(**query: Any) -> list[str]:
        return [item["id"] for item in assert_conforms(SPEC, listing(api, limit=100, **query))["data"]["leads"]]

    assert ids(status="qualified") == [a["id"]]
    assert ids(source="ads") == [b["id"]]
    assert set(ids(search="PERSON")) == {a["id"], b["id"]}  # name for one, email for the other
    assert ids(search="person", status="lost") == [b["id"]]
    assert ids(search="nobody") == []


@pytest.mark.parametrize(
    "query",
    [
        pytest.param({"limit": 101}, id="limit-above-100"),
        pytest.param({"limit": 0}, id="limit-0"),
        pytest.param({"page": 0}, id="page-0"),
        pytest.param({"page": "two"}, id="page-not-a-number"),
        pytest.param({"limit": "1.5"}, id="limit-not-whole"),
        pytest.param({"status": "archived"}, id="status-outside-enum"),
    ],
)
def test_an_invalid_list_query_is_refused_with_400(api, query):
    response = listing(api, **query)
    assert response.status_code == 400
    assert assert_conforms(SPEC, response)["code"] == "VALIDATION_ERROR"


def test_a_limit_of_100_is_the_largest_allowed(api):
    assert assert_conforms(SPEC, listing(api, limit=100))["data"]["pagination"]["limit"] == 100


def test_reset_forgets_what_was_created_updated_and_deleted(api, fake):
    lead = created(api)
    update(api, PollyBotFake.known_lead_id, {"name": "Changed"})  # the fake itself lets the known lead change
    fake.reset()
    assert read(api, lead["id"]).status_code == 404
    assert read(api, PollyBotFake.known_lead_id).json()["data"]["name"] == "John Doe"


# -- quirks: one documented behaviour broken, for the suite's self-tests ------------------------------------------


def quirky(name: str) -> PollyBotFake:
    return PollyBotFake(defects=[Quirk(name=name)])


def test_quirk_put_replaces_metadata():
    with in_process_client(quirky("put_replaces_metadata"), SPEC) as api:
        lead = created(api, metadata={"a": 1})
        assert update(api, lead["id"], {"metadata": {"b": 2}}).json()["data"]["metadata"] == {"b": 2}


def test_quirk_null_ignored():
    with in_process_client(quirky("null_ignored"), SPEC) as api:
        lead = created(api, phone="+1")
        assert update(api, lead["id"], {"phone": None}).json()["data"]["phone"] == "+1"


def test_quirk_delete_keeps_lead():
    with in_process_client(quirky("delete_keeps_lead"), SPEC) as api:
        lead = created(api)
        assert delete(api, lead["id"]).status_code == 200
        assert read(api, lead["id"]).status_code == 200


def test_quirk_no_validation():
    with in_process_client(quirky("no_validation"), SPEC) as api:
        assert create(api, {"email": "a@example.com"}).status_code == 201
        assert create(api, {"name": "A", "email": "a@example.com", "status": "archived"}).status_code == 201


def test_quirk_limit_capped():
    with in_process_client(quirky("limit_capped"), SPEC) as api:
        assert listing(api, limit=500).json()["data"]["pagination"]["limit"] == 100


def test_quirk_page_over_limit():
    with in_process_client(quirky("page_over_limit"), SPEC) as api:
        for n in range(3):
            created(api, name=f"n{n}")
        assert len(listing(api, limit=2).json()["data"]["leads"]) == 3


def test_quirk_status_filter_ignored():
    with in_process_client(quirky("status_filter_ignored"), SPEC) as api:
        created(api, status="lost")
        statuses = {item["status"] for item in listing(api, status="qualified").json()["data"]["leads"]}
        assert statuses == {"lost", "contacted"}


def test_quirk_search_ignores_email():
    with in_process_client(quirky("search_ignores_email"), SPEC) as api:
        created(api, name="Nameless", email="findme@example.com")
        assert listing(api, search="findme").json()["data"]["leads"] == []
