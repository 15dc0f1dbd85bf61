"""A stateful fake of PollyBot's leads API, written from its docs.

Sources: the Get Lead page (the contract: 200 envelope, 400 INVALID_ID_FORMAT, 404 LEAD_NOT_FOUND), the
authentication page (Bearer keys, the missing-header 401), the error envelope
``{success: false, error, code, details?}`` (also the 429 body, which the rate-limiting page's stored copy cuts
off) and the rate-limiting page (the X-RateLimit-* headers on every response).
"""

from __future__ import annotations

import copy
import re
from collections.abc import Mapping
from typing import Any, ClassVar

from contracts.fakes._core import FakeRequest, FakeResponse, FakeVendor, Match, Route

LEAD_ID = re.compile(r"lead_[A-Za-z0-9]+")
"""The documented id format (used with ``fullmatch``: ``$`` would also accept a trailing newline)."""


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

    def routes(self) -> list[Route]:
        return [Route("GET", "/api/v1/leads/{leadId}", self.get_lead)]

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
                "workspaceId": "ws_fake_workspace",
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
        lead_id = match.params["leadId"]
        if not LEAD_ID.fullmatch(lead_id):
            return _error(
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
            return _error(
                404,
                "Lead not found",
                "LEAD_NOT_FOUND",
                {"leadId": lead_id, "message": "No lead found with this ID in your workspace"},
            )
        return FakeResponse(200, {"success": True, "data": copy.deepcopy(lead)})
