r"""A stateful fake of Aura's partner API (leads), written from its docs.

Sources: the Get lead by ID page (the contract: ``{data, success}``, the NOT_FOUND body, the id typed
"Lead ID (UUID)"), the overview's error envelope ``{success: false, error, code}`` for the 401, the 429 and
the 400 a malformed (non-UUID) id gets (every error carries the ``requestId`` all of Aura's error examples
show; the docs document no 400 or 401 code, so those codes are the fake's own), and the overview's rate
limits (the X-RateLimit-* headers on all responses). The docs' example values ``"string"`` and
``property1``/``property2`` are doc-generator placeholders; the seeded lead has real values in their place.

The other lead pages (research-notes §4) add the list, the create and the update:

* ``GET /v1/leads``: ``limit`` (a string, default "50", max 100; the fake refuses a limit that is no count from 1
  to 100 with a 400, since the page does not say whether a larger one is capped), an opaque ``cursor`` (the fake's
  is a base64 offset; one it never gave is a 400), and the filters ``status``, ``source`` (the page does not say
  which field of the lead it matches: the fake matches ``source.utm_source``) and ``assigned_to_id`` (must match
  ``^user_[A-Za-z0-9]+$``; the fake keeps who a lead is assigned to beside the lead, since the lead object shows
  no such field). Newest leads first; ``{data, pagination: {next_cursor, has_more}}``, no ``success`` member.
* ``POST /v1/leads``: ``email`` required (an email), ``phone`` E.164 (``^\+[1-9]\d{1,14}$``), ``full_name``,
  ``company``, ``timezone`` strings, ``metadata`` a LeadMetadata object (unknown keys accepted) or null; a
  violation is a 400. New leads get status "new". The success status is not documented: the fake answers 201.
* ``PATCH /v1/leads/{id}``: the updatable fields ``full_name, email, phone, company, status, timezone, notes``
  (others are ignored); fields not sent keep their values; ``notes`` replaces the whole array (a note sent needs
  ``content``; the fake fills ``created_at`` and ``user_id`` where they are not sent). 200 with the lead. The
  docs show one status, "new", and list no other: the fake refuses any other status with a 400.

Aura documents no delete: created leads stay. Quirks (self-tests): ``cursor_loops`` (the last page points back to
the first), ``repeat_item`` (each next page starts one item early), ``page_over_limit`` (one item more than the
limit), ``has_more_without_cursor`` (the last page says has_more with no cursor), ``limit_typed_as_number`` (the
string limit the docs type is refused), ``notes_appended`` (PATCH appends notes instead of replacing them).
"""

from __future__ import annotations

import base64
import binascii
import copy
import re
import uuid
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any, ClassVar

import jsonschema_rs

from contracts.fakes._core import FakeRequest, FakeResponse, FakeVendor, Match, Route
from contracts.fakes._validation import is_email

UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", re.IGNORECASE)
"""A lead id as the page types it: "Lead ID (UUID)", "Format uuid"."""
E164 = re.compile(r"\+[1-9]\d{1,14}")
"""The create page's phone pattern, ^\\+[1-9]\\d{1,14}$."""
USER_ID = re.compile(r"user_[A-Za-z0-9]+")
"""assigned_to_id as the newer list page types it (a Clerk user id)."""
COUNT = re.compile(r"[0-9]+")
MAX_LIMIT = 100
DEFAULT_LIMIT = 50
UPDATABLE = ("full_name", "email", "phone", "company", "status", "timezone", "notes")
"""The PATCH page's updatable fields."""
STATUSES = ("new",)
"""The lead statuses the docs show (only "new"; they list no closed set). The fake takes no other: a status it
made up would be drift of the fake's own making."""
API_USER = "user_apikey"
"""The user_id the fake gives a note sent without one (a key acts for the organization, not for a user)."""
_DATE_TIME = jsonschema_rs.Draft202012Validator({"type": "string", "format": "date-time"}, validate_formats=True)
METADATA_TYPES: Mapping[str, tuple[type, ...]] = {"latitude": (int, float), "longitude": (int, float)}
"""LeadMetadata's keys whose example shows a number; screenHeight and screenWidth show integers, the others strings."""
METADATA_INTEGERS = ("screenHeight", "screenWidth")
METADATA_KEYS = frozenset(
    (
        "city",
        "country",
        "countryCode",
        "dataConsentAcceptedAt",
        "dclid",
        "epik",
        "fbclid",
        "gadSource",
        "gbraid",
        "gclid",
        "gclsrc",
        "hyclid",
        "ipAddress",
        "language",
        "latitude",
        "liFatId",
        "longitude",
        "msclkid",
        "partner",
        "rdtCid",
        "ref",
        "referrer",
        "region",
        "scCid",
        "screenHeight",
        "screenWidth",
        "setterCode",
        "ttclid",
        "twclid",
        "userAgent",
        "utmCampaign",
        "utmContent",
        "utmId",
        "utmMedium",
        "utmSource",
        "utmTerm",
        "wbraid",
        "yclid",
    )
)
"""The LeadMetadata keys Get Lead's example shows; other keys are accepted as they come."""


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _is_date_time(value: Any) -> bool:
    return isinstance(value, str) and bool(_DATE_TIME.is_valid(value))


def _metadata_problem(metadata: Any) -> str | None:
    """Why ``metadata`` is no LeadMetadata (each documented key typed as its example shows), or None."""
    if not isinstance(metadata, dict):
        return "metadata must be an object or null"
    for key, value in metadata.items():
        if key not in METADATA_KEYS:
            continue  # unknown keys are accepted
        if key in METADATA_INTEGERS:
            ok = isinstance(value, int) and not isinstance(value, bool)
        elif key in METADATA_TYPES:
            ok = isinstance(value, METADATA_TYPES[key]) and not isinstance(value, bool)
        elif key == "dataConsentAcceptedAt":
            ok = _is_date_time(value)
        else:
            ok = isinstance(value, str)
        if not ok:
            return f"metadata.{key} has the wrong type"
    return None


def _field_problem(body: dict[str, Any], name: str) -> str | None:
    """Why the sent ``name`` is not what the create and update pages allow, or None (not sent counts as fine)."""
    if name not in body:
        return None
    value = body[name]
    if not isinstance(value, str):
        return f"{name} must be a string"
    if name == "email" and not is_email(value):
        return "email must be a valid email address"
    if name == "phone" and not E164.fullmatch(value):
        return "phone must be in E.164 format"
    return None


def _encode_cursor(offset: int) -> str:
    return base64.urlsafe_b64encode(f"offset:{offset}".encode()).decode().rstrip("=")


def _decode_cursor(cursor: str) -> int | None:
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return None
    prefix, _, number = text.partition(":")
    return int(number) if prefix == "offset" and COUNT.fullmatch(number) else None


class AuraFake(FakeVendor):
    name: ClassVar[str] = "aura"
    server_path: ClassVar[str] = ""
    api_key: ClassVar[str] = "aura_pk_live_fake00000000000000000000"
    known_lead_id: ClassVar[str] = "550e8400-e29b-41d4-a716-446655440000"
    # The overview page: 100 requests/minute per key, and these headers on all responses. Neither a 429 body nor
    # Retry-After is documented: the fake answers 429 with its error envelope and no Retry-After.
    rate_limit_headers: ClassVar[Mapping[str, str]] = {
        "X-RateLimit-Limit": "limit",
        "X-RateLimit-Remaining": "remaining",
        "X-RateLimit-Reset": "reset",
    }
    documented_limit: ClassVar[tuple[int, float]] = (100, 60.0)
    retry_after_on_429: ClassVar[bool] = False

    def routes(self) -> list[Route]:
        return [
            Route("GET", "/v1/leads", self.list_leads),
            Route("POST", "/v1/leads", self.create_lead),
            Route("GET", "/v1/leads/{id}", self.get_lead),
            Route("PATCH", "/v1/leads/{id}", self.update_lead),
        ]

    def reset(self) -> None:
        self.leads: dict[str, dict[str, Any]] = {
            self.known_lead_id: {
                "company": "Acme Corp",
                "created_at": "2026-01-17T08:00:00Z",
                # The docs' only lead example carries every documented field, disqualification data included,
                # so the known lead does too (realistic values where the page shows placeholders).
                "disqualification_data": {
                    "booking_link_id": "bl_7f3a9c",
                    "evaluated_at": "2026-01-17T08:05:00Z",
                    "triggering_field": {"key": "budget", "label": "Monthly budget", "value": None},
                },
                "email": "john@example.com",
                "full_name": "John Doe",
                "id": self.known_lead_id,
                "last_payment_at": "2026-01-18T10:00:00Z",
                "metadata": {
                    "city": "New York",
                    "country": "United States",
                    "countryCode": "US",
                    "dataConsentAcceptedAt": "2026-05-08T14:23:11.000Z",
                    "dclid": "dclid_1",
                    "epik": "epik_1",
                    "fbclid": "fbclid_1",
                    "gadSource": "1",
                    "gbraid": "gbraid_1",
                    "gclid": "gclid_1",
                    "gclsrc": "aw.ds",
                    "hyclid": "hyclid_1",
                    "ipAddress": "203.0.113.7",
                    "language": "en-US",
                    "latitude": 40.71,
                    "liFatId": "lifat_1",
                    "longitude": -74.0,
                    "msclkid": "msclkid_1",
                    "partner": "acme-partners",
                    "rdtCid": "rdt_1",
                    "ref": "newsletter",
                    "referrer": "https://acme.com/book-a-call",
                    "region": "NY",
                    "scCid": "sc_1",
                    "screenHeight": 1080,
                    "screenWidth": 1920,
                    "setterCode": "setter_7",
                    "ttclid": "ttclid_1",
                    "twclid": "twclid_1",
                    "userAgent": "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5)",
                    "utmCampaign": "spring-2026",
                    "utmContent": "hero-button",
                    "utmId": "utm_1",
                    "utmMedium": "cpc",
                    "utmSource": "google",
                    "utmTerm": "lead crm",
                    "wbraid": "wbraid_1",
                    "yclid": "yclid_1",
                },
                "notes": [
                    {
                        "content": "Asked for a call back",
                        "created_at": "2026-05-08T14:23:11.000Z",
                        "user_id": "user_2abc",
                    }
                ],
                "payment_count": 1,
                "payment_status": "paid",
                "phone": "+14155552671",
                "source": {
                    "referrer": "https://acme.com/book-a-call",
                    "utm_campaign": "summer_promo",
                    "utm_content": None,
                    "utm_medium": "cpc",
                    "utm_source": "google",
                    "utm_term": None,
                },
                "status": "new",
                "timezone": "America/New_York",
                "total_paid_cents": 49900,
                "updated_at": "2026-01-17T09:30:00Z",
            }
        }
        # Three more leads, older than the known one, so that a list has pages to walk. All are "new", the one status
        # the docs show (any other would be drift); one came from a newsletter, so the source filter has work to do.
        for number, utm_source in enumerate(("newsletter", None, "google")):
            lead_id = f"6f1c2a9e-4b7d-4e3a-9c1f-2d8e7b6a5c4{number}"
            self.leads[lead_id] = self._new_lead(
                lead_id,
                {"email": f"seed{number}@example.com", "full_name": f"Seed Lead {number}"},
                created_at=f"2026-01-1{number}T08:00:00.000Z",
            )
            self.leads[lead_id]["source"]["utm_source"] = utm_source
        self.order: list[str] = [*list(self.leads)[1:], self.known_lead_id]
        """Lead ids, oldest first (the list gives the newest first)."""
        self.assignments: dict[str, str] = {self.known_lead_id: "user_2abc"}
        """Who each lead is assigned to (the assigned_to_id filter); the lead object shows no such field."""

    def _new_lead(self, lead_id: str, body: Mapping[str, Any], *, created_at: str) -> dict[str, Any]:
        """A lead as the create makes it: what was sent, status "new", nothing that has not happened yet."""
        metadata = body.get("metadata")
        return {
            "company": body.get("company"),
            "created_at": created_at,
            "disqualification_data": None,
            "email": body["email"],
            "full_name": body.get("full_name"),
            "id": lead_id,
            "last_payment_at": None,
            "metadata": copy.deepcopy(metadata) if isinstance(metadata, dict) else {},
            "notes": [],
            "payment_count": 0,
            "payment_status": None,
            "phone": body.get("phone"),
            "source": dict.fromkeys(
                ("referrer", "utm_campaign", "utm_content", "utm_medium", "utm_source", "utm_term")
            ),
            "status": "new",
            "timezone": body.get("timezone"),
            "total_paid_cents": 0,
            "updated_at": created_at,
        }

    def _error(self, status: int, error: str, code: str) -> FakeResponse:
        return FakeResponse(
            status, {"success": False, "error": error, "code": code, "requestId": f"req_{uuid.uuid4().hex[:12]}"}
        )

    def authenticate(self, request: FakeRequest) -> FakeResponse | None:
        if self.presented_key(request, "Authorization") != self.api_key:
            return self._error(401, "Unauthorized", "UNAUTHORIZED")
        return None

    def not_found(self, request: FakeRequest) -> FakeResponse:
        return self._error(404, "Not found", "NOT_FOUND")

    def rate_limited_body(self) -> Any:
        return {"success": False, "error": "Too many requests", "code": "RATE_LIMITED", "requestId": "req_ratelimit"}

    def get_lead(self, request: FakeRequest, match: Match) -> FakeResponse:
        lead_id = match.params["id"]
        if not UUID.fullmatch(lead_id):
            # The id is a UUID; a malformed one gets Aura's error envelope with a 400 (the code is not documented).
            return self._error(400, "Invalid lead ID: must be a UUID", "VALIDATION_ERROR")
        lead = self.leads.get(lead_id)
        if lead is None:
            # The page's error example: NOT_FOUND, "Lead not found".
            return self._error(404, "Lead not found", "NOT_FOUND")
        return FakeResponse(200, {"data": copy.deepcopy(lead), "success": True})

    def _invalid(self, message: str) -> FakeResponse:
        return self._error(400, message, "VALIDATION_ERROR")

    def list_leads(self, request: FakeRequest, match: Match) -> FakeResponse:
        # A parameter sent empty (``?limit=``) is taken as not sent: the page gives no meaning to an empty value,
        # and recorded traffic (HAR query lists) keeps no empty values, so a replay must get the same answer.
        query = {name: value for name, value in request.query.items() if value != ""}
        limit = DEFAULT_LIMIT
        if "limit" in query:
            if self.has_quirk("limit_typed_as_number"):
                return self._invalid("limit must be a number")  # a vendor refusing the string its docs type
            if not COUNT.fullmatch(query["limit"]) or not 1 <= int(query["limit"]) <= MAX_LIMIT:
                return self._invalid(f"limit must be a count from 1 to {MAX_LIMIT}")
            limit = int(query["limit"])
        offset = 0
        if "cursor" in query:
            decoded = _decode_cursor(query["cursor"])
            if decoded is None:
                return self._invalid("Invalid cursor")
            offset = decoded
        assigned = query.get("assigned_to_id")
        if assigned is not None and not USER_ID.fullmatch(assigned):
            return self._invalid("assigned_to_id must match ^user_[A-Za-z0-9]+$")
        leads = [self.leads[lead_id] for lead_id in reversed(self.order)]
        if "status" in query:
            leads = [lead for lead in leads if lead["status"] == query["status"]]
        if "source" in query:
            leads = [lead for lead in leads if lead["source"]["utm_source"] == query["source"]]
        if assigned is not None:
            leads = [lead for lead in leads if self.assignments.get(lead["id"]) == assigned]
        size = limit + 1 if self.has_quirk("page_over_limit") else limit
        page = leads[offset : offset + size]
        has_more = offset + size < len(leads)
        next_offset = offset + size - 1 if self.has_quirk("repeat_item") else offset + size
        next_cursor = _encode_cursor(next_offset) if has_more else None
        if not has_more and self.has_quirk("cursor_loops"):
            has_more, next_cursor = True, _encode_cursor(0)
        if not has_more and self.has_quirk("has_more_without_cursor"):
            has_more = True
        return FakeResponse(
            200,
            {"data": copy.deepcopy(page), "pagination": {"next_cursor": next_cursor, "has_more": has_more}},
        )

    def _body(self, request: FakeRequest) -> dict[str, Any] | FakeResponse:
        try:
            body = request.json()
        except ValueError:
            return self._invalid("Request body must be valid JSON")
        if not isinstance(body, dict):
            return self._invalid("Request body must be a JSON object")
        return body

    def create_lead(self, request: FakeRequest, match: Match) -> FakeResponse:
        body = self._body(request)
        if isinstance(body, FakeResponse):
            return body
        if "email" not in body:
            return self._invalid("email is required")
        for name in ("email", "full_name", "phone", "company", "timezone"):
            problem = _field_problem(body, name)
            if problem is not None:
                return self._invalid(problem)
        if body.get("metadata") is not None:
            problem = _metadata_problem(body["metadata"])
            if problem is not None:
                return self._invalid(problem)
        lead_id = str(uuid.uuid4())
        self.leads[lead_id] = self._new_lead(lead_id, body, created_at=_now())
        self.order.append(lead_id)
        return FakeResponse(201, {"success": True, "data": copy.deepcopy(self.leads[lead_id])})

    def update_lead(self, request: FakeRequest, match: Match) -> FakeResponse:
        lead_id = match.params["id"]
        if not UUID.fullmatch(lead_id):
            return self._error(400, "Invalid lead ID: must be a UUID", "VALIDATION_ERROR")
        lead = self.leads.get(lead_id)
        if lead is None:
            return self._error(404, "Lead not found", "NOT_FOUND")
        body = self._body(request)
        if isinstance(body, FakeResponse):
            return body
        for name in ("full_name", "email", "phone", "company", "status", "timezone"):
            problem = _field_problem(body, name)
            if problem is not None:
                return self._invalid(problem)
        if "status" in body and body["status"] not in STATUSES:
            return self._invalid(f"status must be one of {', '.join(STATUSES)}")
        notes = body.get("notes")
        if "notes" in body:
            if not isinstance(notes, list) or not all(isinstance(note, dict) for note in notes):
                return self._invalid("notes must be an array of notes")
            for note in notes:
                if not isinstance(note.get("content"), str):
                    return self._invalid("a note needs its content")
                if "created_at" in note and not _is_date_time(note["created_at"]):
                    return self._invalid("a note's created_at must be a date-time")
                if "user_id" in note and not isinstance(note["user_id"], str):
                    return self._invalid("a note's user_id must be a string")
        changes = {name: copy.deepcopy(body[name]) for name in UPDATABLE if name in body and name != "notes"}
        if isinstance(notes, list):
            now = _now()
            sent = [{"created_at": now, "user_id": API_USER, **copy.deepcopy(note)} for note in notes]
            # notes replaces the whole array (the PATCH page); the quirk keeps the old ones in front.
            changes["notes"] = [*lead["notes"], *sent] if self.has_quirk("notes_appended") else sent
        lead.update(changes, updated_at=_now())
        return FakeResponse(200, {"data": copy.deepcopy(lead), "success": True})
