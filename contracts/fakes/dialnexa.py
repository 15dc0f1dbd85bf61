"""A stateful fake of DialNexa's campaign-leads API, written from its docs.

Sources: the Get a campaign lead page (the contract: the record, 403 when the key cannot read campaign
data, 404 when the lead does not exist or was removed), the authentication page (Bearer ``key_id:secret``,
the 401 body), the error envelope ``{statusCode, message, error}`` and the rate-limits page (the X-RateLimit-*
headers on every response, the 429 body and Retry-After).
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any, ClassVar

from contracts.fakes._core import FakeRequest, FakeResponse, FakeVendor, Match, Route


def _error(status: int, message: str, error: str) -> FakeResponse:
    return FakeResponse(status, {"statusCode": status, "message": message, "error": error})


class DialNexaFake(FakeVendor):
    name: ClassVar[str] = "dialnexa"
    server_path: ClassVar[str] = "/v1"
    # Keys are "key_id:secret", sent whole.
    api_key: ClassVar[str] = "key_fake0001:dnxsecret000000000000000000000000"
    restricted_key: ClassVar[str | None] = "key_fake0002:dnxsecretnocampaigns00000000000"
    known_lead_id: ClassVar[str] = "lead_abc123"
    # The rate-limits page: these headers on every response, Retry-After (seconds) on 429. It publishes no
    # numbers, so the fake's unenforced window reports 100 per minute.
    rate_limit_headers: ClassVar[Mapping[str, str]] = {
        "X-RateLimit-Limit": "limit",
        "X-RateLimit-Remaining": "remaining",
        "X-RateLimit-Reset": "reset",
    }

    def routes(self) -> list[Route]:
        return [Route("GET", "/campaigns-leads/{id}", self.get_campaign_lead)]

    def reset(self) -> None:
        self.leads: dict[str, dict[str, Any]] = {
            "lead_abc123": {
                "id": "lead_abc123",
                "name": "Priya Sharma",
                "phone_number": "+919876543210",
                "campaign_id": "cmp_xyz789",
                "status": "completed",
                "notes": {"loan_amount": "250000", "product": "home_loan"},
                "call_log_id": "log_abc123",
                "created_at": "2024-03-01T10:00:00.000Z",
            },
            "lead_m4b7zx9nq2pw": {
                "id": "lead_m4b7zx9nq2pw",
                "name": "Priya Sharma",
                "phone_number": "+919876543210",
                "campaign_id": "cmp_5tw8vz2rnx1q",
                "status": "pending",
                "notes": {"customer_name": "Priya Sharma", "product": "home_loan"},
                "call_log_id": None,
                "created_at": "2024-05-01T09:05:00.000Z",
            },
            "lead_r3moved0000": {
                "id": "lead_r3moved0000",
                "name": "Removed Lead",
                "phone_number": "+919800000000",
                "campaign_id": "cmp_5tw8vz2rnx1q",
                "status": "removed",
                "notes": {},
                "call_log_id": None,
                "created_at": "2024-05-02T09:05:00.000Z",
            },
        }

    def authenticate(self, request: FakeRequest) -> FakeResponse | None:
        key = self.presented_key(request, "Authorization")
        if key == self.restricted_key:
            return _error(403, "You do not have permission to read campaign data on this workspace", "Forbidden")
        if key != self.api_key:
            return _error(401, "Unauthorized", "Unauthorized")
        return None

    def not_found(self, request: FakeRequest) -> FakeResponse:
        return _error(404, f"Cannot {request.method} {request.path}", "Not Found")

    def rate_limited_body(self) -> Any:
        return {
            "statusCode": 429,
            "message": "Too many requests. Please slow down and retry after a moment.",
            "error": "Too Many Requests",
        }

    def get_campaign_lead(self, request: FakeRequest, match: Match) -> FakeResponse:
        lead = self.leads.get(match.params["id"])
        # "404 Not Found is returned when the lead does not exist or has been removed."
        if lead is None or lead["status"] == "removed":
            return _error(404, "Campaign lead not found", "Not Found")
        return FakeResponse(200, copy.deepcopy(lead))
