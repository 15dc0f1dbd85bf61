"""A stateful fake of Nexor's public leads API, written from its docs.

Sources: the Get Lead and Create Lead pages (the contract), the authentication page (401 bodies, the
``{error, message}`` envelope) and the PATCH page (validation errors are 400). Behaviour the docs state:
``first_name`` is required; ``email`` and the ids are validated; metadata values are strings, numbers or
booleans (the create page's metadata row; keys mapped from the top level are metadata values too); keys
that are not core columns are mapped into ``metadata``, explicit ``metadata`` winning on conflict, and core
columns never are; ``force_first_message`` requires ``workflow_id``; a lead that cannot be assigned to its
workflow is still created, with a ``warning``; one that can gets a ``workflow_run``. The docs document no
deduplication, so every create makes a new lead. A malformed (non-uuid) lead id is a validation error: 400
``{error, message}``, the convention of Nexor's other lead pages (the Get Lead page lists no 400).

Quirks (``contracts.fakes._core.Quirk``) that break a documented behaviour, for the suite's self-tests:
``no_metadata_mapping`` (extra keys are dropped) and ``core_columns_in_metadata`` (core columns sent at the
top level are copied into ``metadata`` too).
"""

from __future__ import annotations

import copy
import uuid
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any, ClassVar

from contracts.fakes._core import FakeRequest, FakeResponse, FakeVendor, Match, Route
from contracts.fakes._validation import is_email, is_uuid

CORE_COLUMNS = ("first_name", "last_name", "email", "phone", "workflow_id", "campaign_id", "force_first_message")
"""Top-level keys the create page names as core columns; any other key is mapped into metadata."""
METADATA_VALUE_TYPES = (str, int, float, bool)
""""Values can be strings, numbers, or booleans" (the create page's metadata row)."""

CAMPAIGN: dict[str, Any] = {"id": "5f0c6d1e-8a4b-4c1d-9e2f-3a4b5c6d7e8f", "name": "Q1 Campaign"}
CALL_WORKFLOW: dict[str, Any] = {
    "id": "0b7d3c2a-1e4f-4a5b-8c6d-7e8f9a0b1c2d",
    "name": "Sales Outreach",
    "goal_type": "appointment",
    "has_call_steps": True,
    "total_steps": 5,
}


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _extras(body: dict[str, Any]) -> dict[str, Any]:
    """The top-level keys that are not core columns (nor ``metadata`` itself): they are mapped into metadata."""
    return {key: value for key, value in body.items() if key not in CORE_COLUMNS and key != "metadata"}


def _error(status: int, error: str, message: str) -> FakeResponse:
    return FakeResponse(status, {"error": error, "message": message})


class NexorFake(FakeVendor):
    name: ClassVar[str] = "nexor"
    server_path: ClassVar[str] = "/api/public"
    api_key: ClassVar[str] = "nxr_live_fake0000000000000000000000000000"
    known_lead_id: ClassVar[str] = "123e4567-e89b-12d3-a456-426614174000"
    fixtures: ClassVar[Mapping[str, str]] = {"workflow_id": CALL_WORKFLOW["id"]}
    workflows: ClassVar[dict[str, dict[str, Any]]] = {CALL_WORKFLOW["id"]: CALL_WORKFLOW}
    campaigns: ClassVar[dict[str, dict[str, Any]]] = {CAMPAIGN["id"]: CAMPAIGN}

    def routes(self) -> list[Route]:
        return [Route("GET", "/leads/{id}", self.get_lead), Route("POST", "/leads", self.create_lead)]

    def reset(self) -> None:
        self.leads: dict[str, dict[str, Any]] = {}
        self.runs: dict[str, dict[str, Any]] = {}
        carlos: dict[str, Any] = {
            "id": self.known_lead_id,
            "first_name": "Carlos",
            "last_name": "Lopez",
            "email": "carlos@example.com",
            "phone": "+56912345678",
            "source": "api",
            "company": "Acme Corp",
            "title": None,
            "metadata": {"edad": 35, "estado_lead": "calificado", "broker_asociado": "Juan Perez"},
            "created_at": "2026-02-10T12:00:00Z",
        }
        self.leads[carlos["id"]] = {**carlos, "campaign_id": CAMPAIGN["id"]}
        self.runs[carlos["id"]] = {
            "id": "3d2c1b0a-9f8e-4d7c-b6a5-948372615048",
            "workflow_id": CALL_WORKFLOW["id"],
            "status_key": "contacted",
        }
        self.assigned_users = {
            carlos["id"]: {
                "id": "7a6b5c4d-3e2f-4a1b-9c8d-7e6f5a4b3c2d",
                "name": "Ana",
                "email": "ana@co.com",
                "avatar_url": None,
            }
        }

    def authenticate(self, request: FakeRequest) -> FakeResponse | None:
        key = self.presented_key(request, "X-API-Key")
        if key is None or key == "":
            return _error(401, "Missing API key", "Please provide your API key in the X-API-Key header")
        if key != self.api_key:
            return _error(401, "Invalid API key", "The provided API key is not valid")
        return None

    def not_found(self, request: FakeRequest) -> FakeResponse:
        return FakeResponse(404, {"error": "Not found"})

    # GET /leads/{id} ------------------------------------------------------------------------

    def get_lead(self, request: FakeRequest, match: Match) -> FakeResponse:
        lead_id = match.params["id"]
        if not is_uuid(lead_id):
            # The page types the id as string (uuid); Nexor answers validation errors with 400 (PATCH page).
            return _error(400, "Validation error", f"id must be a valid UUID, not {lead_id!r}")
        stored = self.leads.get(lead_id)
        if stored is None:
            return FakeResponse(404, {"error": "Lead not found"})
        return FakeResponse(200, self._full_lead(stored))

    def _full_lead(self, stored: dict[str, Any]) -> dict[str, Any]:
        lead = {key: copy.deepcopy(value) for key, value in stored.items() if key != "campaign_id"}
        campaign = self.campaigns.get(stored.get("campaign_id") or "")
        run = self.runs.get(stored["id"])
        workflow = self.workflows.get(run["workflow_id"]) if run else None
        lead["campaign"] = {"id": campaign["id"], "name": campaign["name"]} if campaign else None
        lead["activeWorkflowRun"] = (
            {"id": run["id"], "workflow_id": run["workflow_id"], "is_active": True, "run_status": "running"}
            if run
            else None
        )
        lead["workflow"] = (
            {"id": workflow["id"], "name": workflow["name"], "goal_type": workflow["goal_type"]} if workflow else None
        )
        lead["currentStatus"] = (
            {
                "id": str(uuid.uuid5(uuid.NAMESPACE_URL, f"status:{run['status_key']}")),
                "key": run["status_key"],
                "label": run["status_key"].replace("_", " ").title(),
                "color": "#3b82f6",
                "category": "active",
            }
            if run
            else None
        )
        is_appointment = workflow is not None and workflow["goal_type"] == "appointment"
        lead["assigned_user"] = self.assigned_users.get(stored["id"]) if is_appointment else None
        # Key order as on the page, created_at last.
        lead["created_at"] = lead.pop("created_at")
        return lead

    # POST /leads ----------------------------------------------------------------------------

    def create_lead(self, request: FakeRequest, match: Match) -> FakeResponse:
        try:
            body = request.json()
        except ValueError:
            return _error(400, "Validation error", "Request body must be valid JSON")
        problem = self._validate(body)
        if problem is not None:
            return _error(400, "Validation error", problem)
        extras = _extras(body)
        if self.has_quirk("no_metadata_mapping"):
            extras = {}
        if self.has_quirk("core_columns_in_metadata"):
            extras = {key: value for key, value in body.items() if key != "metadata"}
        metadata = {**extras, **body.get("metadata", {})}
        lead = {
            "id": str(uuid.uuid4()),
            "first_name": body["first_name"],
            "last_name": body.get("last_name"),
            "email": body.get("email"),
            "phone": body.get("phone"),
            "source": "api",
            "company": None,
            "title": None,
            "metadata": metadata,
            "created_at": _now(),
        }
        campaign_id = body.get("campaign_id")
        self.leads[lead["id"]] = {**lead, "campaign_id": campaign_id if campaign_id in self.campaigns else None}
        result: dict[str, Any] = {"success": True, "lead": copy.deepcopy(lead)}
        if "workflow_id" in body:
            outcome = self._assign(lead, body["workflow_id"])
            result.update(outcome)
        return FakeResponse(201, result)

    def _validate(self, body: Any) -> str | None:
        if not isinstance(body, dict):
            return "Request body must be a JSON object"
        if not isinstance(body.get("first_name"), str):
            return "first_name is required and must be a string"
        for name in ("last_name", "phone"):
            if name in body and not isinstance(body[name], str):
                return f"{name} must be a string"
        if "email" in body and not (isinstance(body["email"], str) and is_email(body["email"])):
            return "email must be a valid email address"
        for name in ("workflow_id", "campaign_id"):
            if name in body and not (isinstance(body[name], str) and is_uuid(body[name])):
                return f"{name} must be a valid UUID"
        for name in ("metadata", "force_first_message"):
            if name in body and not isinstance(body[name], dict):
                return f"{name} must be an object"
        for key, value in [*_extras(body).items(), *body.get("metadata", {}).items()]:
            if not isinstance(value, METADATA_VALUE_TYPES):
                return f"metadata values must be strings, numbers or booleans ({key!r} is not)"
        if "force_first_message" in body and "workflow_id" not in body:
            return "force_first_message requires workflow_id"
        return None

    def _assign(self, lead: dict[str, Any], workflow_id: str) -> dict[str, Any]:
        workflow = self.workflows.get(workflow_id)
        if workflow is None:
            return {"warning": f"Lead created, but workflow {workflow_id} was not found; it was not assigned."}
        if workflow["has_call_steps"] and not lead["phone"]:
            return {
                "warning": "Lead created, but it could not be assigned to the workflow: "
                "phone is required for workflows with call steps."
            }
        run_id = str(uuid.uuid4())
        self.runs[lead["id"]] = {"id": run_id, "workflow_id": workflow_id, "status_key": "new"}
        return {
            "workflow_run": {
                "id": run_id,
                "job_id": f"job-{run_id[:8]}",
                "workflow": {"id": workflow["id"], "name": workflow["name"]},
                "cadence": {
                    "stepIndex": 0,
                    "channel": "call" if workflow["has_call_steps"] else "email",
                    "attemptNumber": 1,
                    "maxAttempts": 3,
                    "totalSteps": workflow["total_steps"],
                },
            }
        }
