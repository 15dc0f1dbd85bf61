"""A stateful fake of PollyBot's leads API, written from its docs.

Sources: the Get Lead page (the contract: 200 envelope, 400 INVALID_ID_FORMAT, 404 LEAD_NOT_FOUND), the
authentication page (Bearer keys, the missing-header 401), the error envelope
``{success: false, error, code, details?}`` (also the 429 body, which the rate-limiting page's stored copy cuts
off) and the rate-limiting page (the X-RateLimit-* headers on every response).

The other lead pages (research-notes §2): the create page (``POST /api/v1/chatbots/{chatbotId}/leads``, 201, name
and email required, phone, source, status and metadata optional, ids ``lead_<16 hex>``), the list page
(``GET /api/v1/leads``: page, limit up to 100, status, source, search over name and email, and its pagination
block), the update page (``PUT /api/v1/leads/{leadId}``: a partial update; metadata merged key by key, an array
replaced, null clears a field; the updated lead is returned) and the delete page (200 ``{success, message,
data{id, deletedAt}}``, permanent: a deleted lead is a 404 afterwards, also to a second delete). What the pages
leave open is decided as the spec decides it: a validation error is 400 ``VALIDATION_ERROR`` in the envelope; an
unknown or deleted lead on update or delete is Get Lead's 404 ``LEAD_NOT_FOUND``; a malformed id there is Get
Lead's 400 ``INVALID_ID_FORMAT``; a limit above 100 is refused with 400 (not capped); a chatbot the workspace does
not have is 404 ``CHATBOT_NOT_FOUND``; the list is newest first; the default limit is 10; a null inside metadata
removes that key.

Quirks (``contracts.fakes._core.Quirk``) that break a documented behaviour, for the suite's self-tests:
``put_replaces_metadata`` (an update replaces metadata instead of merging it), ``null_ignored`` (null does not
clear a field), ``delete_keeps_lead`` (the delete answers 200 but the lead stays), ``no_validation`` (a create
without name or email, or with a status outside the enum, is accepted), ``limit_capped`` (a limit above 100 is
capped to 100 instead of refused), ``page_over_limit`` (every page holds one lead more than the limit),
``status_filter_ignored`` (the list's status filter is accepted but not applied), ``search_ignores_email`` (search
matches names only).
"""

from __future__ import annotations

import copy
import math
import re
import uuid
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any, ClassVar

from contracts.fakes._core import FakeRequest, FakeResponse, FakeVendor, Match, Route
from contracts.fakes._validation import is_email

LEAD_ID = re.compile(r"lead_[A-Za-z0-9]+")
"""The documented id format (used with ``fullmatch``: ``$`` would also accept a trailing newline)."""
STATUSES = ("new", "contacted", "qualified", "converted", "lost", "follow_up")
"""The status enum of the leads index page."""
MAX_LIMIT = 100
"""The list page's "limit (integer, max 100)"."""
DEFAULT_LIMIT = 10
"""Not documented: the fake's page size when no limit is given."""
CHATBOT_ID = "chatbot_fake0001"
"""The chatbot the fake seeds (its id format is not documented); scenarios name it as ``{chatbot_id}``."""
WORKSPACE_ID = "ws_fake_workspace"
CLEARABLE = ("phone", "source")
"""Fields a lead may lack (optional at creation), which an update's null clears."""


def _now() -> str:
    """A timestamp as the docs show them (milliseconds, Z)."""
    now = datetime.now(UTC)
    return now.strftime("%Y-%m-%dT%H:%M:%S.") + f"{now.microsecond // 1000:03d}Z"


def _error(status: int, error: str, code: str, details: dict[str, Any] | None = None) -> FakeResponse:
    body: dict[str, Any] = {"success": False, "error": error, "code": code}
    if details is not None:
        body["details"] = details
    return FakeResponse(status, body)


class PollyBotFake(FakeVendor):
    name: ClassVar[str] = "pollybot"
    server_path: ClassVar[str] = ""
    # Keys are "sk-workspace_" plus 51 random characters, 64 in all.
    api_key: ClassVar[str] = "sk-workspace_" + "f" * 51
    known_lead_id: ClassVar[str] = "lead_1234567890abcdef"
    # The rate-limiting page: 1,000 requests/hour per key, and these headers on every response. Whether a 429
    # carries Retry-After was cut off in the stored copy, so the fake does not send it.
    rate_limit_headers: ClassVar[Mapping[str, str]] = {
        "X-RateLimit-Limit": "limit",
        "X-RateLimit-Remaining": "remaining",
        "X-RateLimit-Reset": "reset",
        "X-RateLimit-Used": "used",
    }
    documented_limit: ClassVar[tuple[int, float]] = (1000, 3600.0)
    retry_after_on_429: ClassVar[bool] = False
    fixtures: ClassVar[Mapping[str, str]] = {"chatbot_id": CHATBOT_ID}
    chatbots: ClassVar[frozenset[str]] = frozenset({CHATBOT_ID})

    def routes(self) -> list[Route]:
        return [
            Route("GET", "/api/v1/leads", self.list_leads),
            Route("GET", "/api/v1/leads/{leadId}", self.get_lead),
            Route("PUT", "/api/v1/leads/{leadId}", self.update_lead),
            Route("DELETE", "/api/v1/leads/{leadId}", self.delete_lead),
            Route("POST", "/api/v1/chatbots/{chatbotId}/leads", self.create_lead),
        ]

    def reset(self) -> None:
        self.leads: dict[str, dict[str, Any]] = {
            self.known_lead_id: {
                "id": self.known_lead_id,
                "name": "John Doe",
                "email": "john.doe@example.com",
                "phone": "+1-555-123-4567",
                "source": "website",
                "status": "contacted",
                "metadata": {
                    "utm_source": "google",
                    "utm_campaign": "spring_2024",
                    "interests": ["product_a", "product_b"],
                    "company": "Tech Corp",
                    "job_title": "Marketing Manager",
                    "last_interaction": "2024-01-16T14:30:00.000Z",
                    "notes": "Interested in premium package",
                    "follow_up_date": "2024-01-20",
                },
                "createdAt": "2024-01-15T10:30:00.000Z",
                "updatedAt": "2024-01-16T14:30:00.000Z",
                "workspaceId": WORKSPACE_ID,
            }
        }

    def authenticate(self, request: FakeRequest) -> FakeResponse | None:
        if request.header("authorization") is None:
            return _error(401, "Missing authorization header", "MISSING_AUTH_HEADER")
        if self.presented_key(request, "Authorization") != self.api_key:
            return _error(401, "Invalid API key", "INVALID_API_KEY")
        return None

    def not_found(self, request: FakeRequest) -> FakeResponse:
        return _error(404, "Not found", "NOT_FOUND")

    def rate_limited_body(self) -> Any:
        return {"success": False, "error": "Too many requests", "code": "RATE_LIMIT_EXCEEDED"}

    def get_lead(self, request: FakeRequest, match: Match) -> FakeResponse:
        lead, refused = self._find(match.params["leadId"])
        if lead is None:
            return refused
        return FakeResponse(200, {"success": True, "data": copy.deepcopy(lead)})

    def _find(self, lead_id: str) -> tuple[dict[str, Any] | None, FakeResponse]:
        """The stored lead, or the documented 400 (malformed id) or 404 (no such lead) to answer instead."""
        if not LEAD_ID.fullmatch(lead_id):
            return None, _error(
                400,
                "Invalid lead ID format",
                "INVALID_ID_FORMAT",
                {
                    "leadId": lead_id,
                    "expected": "lead_[alphanumeric string]",
                    "message": "Lead IDs must start with 'lead_' followed by alphanumeric characters",
                },
            )
        lead = self.leads.get(lead_id)
        if lead is None:
            return None, _error(
                404,
                "Lead not found",
                "LEAD_NOT_FOUND",
                {"leadId": lead_id, "message": "No lead found with this ID in your workspace"},
            )
        return lead, FakeResponse(200)

    # POST /api/v1/chatbots/{chatbotId}/leads --------------------------------------------------

    def create_lead(self, request: FakeRequest, match: Match) -> FakeResponse:
        chatbot_id = match.params["chatbotId"]
        if chatbot_id not in self.chatbots:
            return _error(404, f"Chatbot {chatbot_id!r} not found", "CHATBOT_NOT_FOUND")
        body = _json_object(request)
        if body is None:
            return _invalid("Request body must be a JSON object")
        problem = None if self.has_quirk("no_validation") else _create_problem(body)
        if problem is not None:
            return _invalid(problem)
        now = _now()
        lead = {
            "id": "lead_" + uuid.uuid4().hex[:16],  # uuid4: what a recording pins (tests/fixtures/cassettes.py)
            "name": body.get("name", ""),
            "email": body.get("email", ""),
            "phone": body.get("phone"),
            "source": body.get("source"),
            "status": body.get("status", "new"),
            "metadata": copy.deepcopy(body.get("metadata", {})),
            "createdAt": now,
            "updatedAt": now,
            "workspaceId": WORKSPACE_ID,
        }
        self.leads[lead["id"]] = lead
        return FakeResponse(201, {"success": True, "data": copy.deepcopy(lead)})

    # GET /api/v1/leads ------------------------------------------------------------------------

    def list_leads(self, request: FakeRequest, match: Match) -> FakeResponse:
        page = _positive_int(request.query.get("page", "1"))
        limit = _positive_int(request.query.get("limit", str(DEFAULT_LIMIT)))
        if page is None:
            return _invalid("page must be an integer of at least 1")
        if limit is None:
            return _invalid("limit must be an integer of at least 1")
        if limit > MAX_LIMIT:
            if not self.has_quirk("limit_capped"):
                return _invalid(f"limit must be at most {MAX_LIMIT}")
            limit = MAX_LIMIT
        status = request.query.get("status")
        if status is not None and status not in STATUSES:
            return _invalid(f"status must be one of {', '.join(STATUSES)}")
        if self.has_quirk("status_filter_ignored"):
            status = None
        source = request.query.get("source")
        search = request.query.get("search", "").casefold()
        by_email = not self.has_quirk("search_ignores_email")
        matching = [
            lead
            for lead in reversed(self.leads.values())  # newest first
            if (status is None or lead["status"] == status)
            and (source is None or lead["source"] == source)
            and (search in lead["name"].casefold() or (search in lead["email"].casefold() and by_email))
        ]
        size = limit + 1 if self.has_quirk("page_over_limit") else limit
        start = (page - 1) * limit
        listed = [_listed(lead) for lead in matching[start : start + size]]
        total_pages = math.ceil(len(matching) / limit)
        pagination = {
            "page": page,
            "limit": limit,
            "total": len(matching),
            "totalPages": total_pages,
            "hasNext": page < total_pages,
            "hasPrev": page > 1,
        }
        return FakeResponse(200, {"success": True, "data": {"leads": listed, "pagination": pagination}})

    # PUT /api/v1/leads/{leadId} ----------------------------------------------------------------

    def update_lead(self, request: FakeRequest, match: Match) -> FakeResponse:
        lead, refused = self._find(match.params["leadId"])
        if lead is None:
            return refused
        body = _json_object(request)
        if body is None:
            return _invalid("Request body must be a JSON object")
        problem = _update_problem(body)
        if problem is not None:
            return _invalid(problem)
        for name in ("name", "email", "status", *CLEARABLE):
            if name not in body or (body[name] is None and self.has_quirk("null_ignored")):
                continue
            lead[name] = body[name]
        if "metadata" in body:
            sent = copy.deepcopy(body["metadata"])
            if self.has_quirk("put_replaces_metadata"):
                lead["metadata"] = sent
            else:
                # Merged key by key: a key sent replaces the stored one (an array included), null removes it.
                merged = {**lead["metadata"], **sent}
                lead["metadata"] = {key: value for key, value in merged.items() if value is not None}
        lead["updatedAt"] = _now()
        return FakeResponse(200, {"success": True, "data": copy.deepcopy(lead)})

    # DELETE /api/v1/leads/{leadId} -------------------------------------------------------------

    def delete_lead(self, request: FakeRequest, match: Match) -> FakeResponse:
        lead, refused = self._find(match.params["leadId"])
        if lead is None:
            return refused
        if not self.has_quirk("delete_keeps_lead"):
            del self.leads[lead["id"]]
        return FakeResponse(
            200,
            {"success": True, "message": "Lead deleted successfully", "data": {"id": lead["id"], "deletedAt": _now()}},
        )


def _invalid(message: str) -> FakeResponse:
    """A validation error: the envelope, without details (no page shows what they would hold)."""
    return _error(400, message, "VALIDATION_ERROR")


def _json_object(request: FakeRequest) -> dict[str, Any] | None:
    try:
        body = request.json()
    except (ValueError, UnicodeDecodeError):
        return None
    return body if isinstance(body, dict) else None


def _positive_int(raw: str) -> int | None:
    """A query value that is a whole number of at least 1 (as the spec's integer with minimum 1), else None."""
    if not re.fullmatch(r"[0-9]+", raw):
        return None
    value = int(raw)
    return value if value >= 1 else None


def _field_problem(body: dict[str, Any], name: str, *, nullable: bool) -> str | None:
    value = body[name]
    if value is None:
        return None if nullable else f"{name} cannot be null"
    if name == "metadata":
        return None if isinstance(value, dict) else "metadata must be an object"
    if not isinstance(value, str):
        return f"{name} must be a string"
    if name == "email" and not is_email(value):
        return "email must be a valid email address"
    if name == "status" and value not in STATUSES:
        return f"status must be one of {', '.join(STATUSES)}"
    return None


def _create_problem(body: dict[str, Any]) -> str | None:
    for name in ("name", "email"):
        if name not in body:
            return f"{name} is required"
    for name in ("name", "email", "phone", "source", "status", "metadata"):
        if name in body:
            problem = _field_problem(body, name, nullable=False)
            if problem is not None:
                return problem
    return None


def _update_problem(body: dict[str, Any]) -> str | None:
    for name in ("name", "email", "phone", "source", "status", "metadata"):
        if name in body:
            problem = _field_problem(body, name, nullable=name in CLEARABLE)
            if problem is not None:
                return problem
    return None


def _listed(lead: dict[str, Any]) -> dict[str, Any]:
    """A lead as the list page's example shows it: every field but workspaceId."""
    return {key: copy.deepcopy(value) for key, value in lead.items() if key != "workspaceId"}
