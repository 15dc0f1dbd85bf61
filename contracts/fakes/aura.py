"""A stateful fake of Aura's partner API (leads), written from its docs.

Sources: the Get lead by ID page (the contract: ``{data, success}``, the NOT_FOUND body, the id typed
"Lead ID (UUID)"), the overview's error envelope ``{success: false, error, code}`` for the 401, the 429 and
the 400 a malformed (non-UUID) id gets (every error carries the ``requestId`` all of Aura's error examples
show; the docs document no 400 or 401 code, so those codes are the fake's own), and the overview's rate
limits (the X-RateLimit-* headers on all responses). The docs' example values ``"string"`` and
``property1``/``property2`` are doc-generator placeholders; the seeded lead has real values in their place.
"""

from __future__ import annotations

import copy
import re
import uuid
from collections.abc import Mapping
from typing import Any, ClassVar

from contracts.fakes._core import FakeRequest, FakeResponse, FakeVendor, Match, Route

UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", re.IGNORECASE)
"""A lead id as the page types it: "Lead ID (UUID)", "Format uuid"."""


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
        return [Route("GET", "/v1/leads/{id}", self.get_lead)]

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
