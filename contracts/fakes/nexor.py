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

Issue 10 adds the other documented lead operations (research-notes §1): ``PUT`` and ``PATCH /leads/{id}``,
identical partial updates (only the fields sent change; ``metadata`` is shallow-merged with the existing keys;
``campaign_id`` null removes the campaign; the answer's lead carries ``campaign_id``, as the PATCH page's
example does); ``PUT /leads/tags`` ("Patch Tags": the lead named by ``lead_id`` or by ``email``, matched
case-insensitively, ``lead_id`` winning; ``tags`` is the full set, ``[]`` clears; the answer lists the tags and
the ids added and removed); ``POST /leads/{id}/status`` (the ``status_key`` must exist in the lead's workflow;
``changed`` is false when the lead already had it). Get Lead shows the lead's ``tags`` (the newer Get Lead page's
``tags``). The pages that give no error responses (tags, status) follow Nexor's convention: 400 ``{error,
message}`` for validation, 401 as on the authentication page, 404 ``{"error": "Lead not found"}``. A lead
operation looks the lead up before it validates the body (an unknown id is 404 whatever the body).

Quirks (``contracts.fakes._core.Quirk``) that break a documented behaviour, for the suite's self-tests:
``no_metadata_mapping`` (extra keys are dropped), ``core_columns_in_metadata`` (core columns sent at the
top level are copied into ``metadata`` too), ``metadata_replaced`` (an update replaces metadata instead of
merging it), ``put_replaces`` (PUT clears the fields it is not sent), ``campaign_null_ignored`` (campaign_id
null leaves the campaign), ``tags_appended`` (tags are added to the lead's set, never removed),
``email_case_sensitive`` (tags by email match the address exactly), ``email_wins`` (tags by email win over
lead_id) and ``status_always_changed`` (``changed`` is true even when the status was already set).
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

UPDATABLE = ("first_name", "last_name", "email", "phone", "company", "title", "source", "campaign_id", "metadata")
"""The update body's fields (PATCH page): all optional."""
NULLABLE_STRINGS = ("last_name", "phone", "company", "title")
"""Update fields typed string | null (email is email | null, campaign_id uuid | null)."""

CAMPAIGN: dict[str, Any] = {"id": "5f0c6d1e-8a4b-4c1d-9e2f-3a4b5c6d7e8f", "name": "Q1 Campaign"}
CALL_WORKFLOW: dict[str, Any] = {
    "id": "0b7d3c2a-1e4f-4a5b-8c6d-7e8f9a0b1c2d",
    "name": "Sales Outreach",
    "goal_type": "appointment",
    "has_call_steps": True,
    "total_steps": 5,
    "statuses": ("new", "contacted", "qualified", "won", "lost"),
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
    fixtures: ClassVar[Mapping[str, str]] = {
        "workflow_id": CALL_WORKFLOW["id"],
        "campaign_id": CAMPAIGN["id"],
        "status_key": "qualified",
    }
    workflows: ClassVar[dict[str, dict[str, Any]]] = {CALL_WORKFLOW["id"]: CALL_WORKFLOW}
    campaigns: ClassVar[dict[str, dict[str, Any]]] = {CAMPAIGN["id"]: CAMPAIGN}

    def routes(self) -> list[Route]:
        # In the spec's order; /leads/tags is matched before the templates (``_route``).
        return [
            Route("GET", "/leads/{id}", self.get_lead),
            Route("PUT", "/leads/{id}", self.update_lead),
            Route("PATCH", "/leads/{id}", self.update_lead),
            Route("POST", "/leads/{id}/status", self.set_status),
            Route("POST", "/leads", self.create_lead),
            Route("PUT", "/leads/tags", self.set_tags),
        ]

    def reset(self) -> None:
        self.leads: dict[str, dict[str, Any]] = {}
        self.runs: dict[str, dict[str, Any]] = {}
        self.lead_tags: dict[str, list[dict[str, str]]] = {}
        """Lead id -> its tags ({id, name, slug}), in the order they were set."""
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

    def _route(self, request: FakeRequest) -> tuple[Route | None, Match | None]:
        """A literal path (``/leads/tags``) is its own resource: the ``/leads/{id}`` templates never take it."""
        literal = [route for route in self._routes if route.template == request.path]
        if not literal:
            return super()._route(request)
        route = next((route for route in literal if route.method == request.method), None)
        return (route, route.match(request.method, request.path)) if route else (None, None)

    def _unrouted(self, request: FakeRequest) -> FakeResponse:
        literal = sorted({route.method for route in self._routes if route.template == request.path})
        if literal:
            return FakeResponse(405, {"error": "Method not allowed"}, headers={"Allow": ", ".join(literal)})
        return super()._unrouted(request)

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
        lead["tags"] = copy.deepcopy(self.lead_tags.get(stored["id"], []))
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

    # PUT and PATCH /leads/{id} ----------------------------------------------------------------

    def _lead_or_error(self, match: Match) -> tuple[dict[str, Any] | None, FakeResponse | None]:
        """The stored lead the path names, or the documented 400 (malformed id) or 404."""
        lead_id = match.params["id"]
        if not is_uuid(lead_id):
            return None, _error(400, "Validation error", f"id must be a valid UUID, not {lead_id!r}")
        stored = self.leads.get(lead_id)
        if stored is None:
            return None, FakeResponse(404, {"error": "Lead not found"})
        return stored, None

    def update_lead(self, request: FakeRequest, match: Match) -> FakeResponse:
        """PUT and PATCH: the same partial update (update-lead and patch-lead pages)."""
        stored, refused = self._lead_or_error(match)
        if stored is None:
            return refused or FakeResponse(404, {"error": "Lead not found"})
        try:
            body = request.json()
        except ValueError:
            return _error(400, "Validation error", "Request body must be valid JSON")
        problem = _validate_update(body)
        if problem is not None:
            return _error(400, "Validation error", problem)
        if request.method == "PUT" and self.has_quirk("put_replaces"):
            for name in ("last_name", "email", "phone", "company", "title"):
                stored[name] = None
            stored["metadata"] = {}
        for name in UPDATABLE:
            if name not in body:
                continue
            value = body[name]
            if name == "metadata":
                merged = {} if self.has_quirk("metadata_replaced") else stored["metadata"]
                stored["metadata"] = {**merged, **copy.deepcopy(value)}  # shallow: a key sent replaces its value
            elif name == "campaign_id":
                if value is None and self.has_quirk("campaign_null_ignored"):
                    continue
                stored["campaign_id"] = value if value in self.campaigns else None
            else:
                stored[name] = value
        return FakeResponse(200, {"success": True, "lead": copy.deepcopy(stored)})

    # PUT /leads/tags ------------------------------------------------------------------------

    def set_tags(self, request: FakeRequest, match: Match) -> FakeResponse:
        try:
            body = request.json()
        except ValueError:
            return _error(400, "Validation error", "Request body must be valid JSON")
        if not isinstance(body, dict):
            return _error(400, "Validation error", "Request body must be a JSON object")
        tags = body.get("tags")
        if not isinstance(tags, list) or not all(isinstance(tag, str) for tag in tags):
            return _error(400, "Validation error", "tags is required and must be an array of strings")
        lead_id, email = body.get("lead_id"), body.get("email")
        if "lead_id" in body and not (isinstance(lead_id, str) and is_uuid(lead_id)):
            return _error(400, "Validation error", "lead_id must be a valid UUID")
        if "email" in body and not isinstance(email, str):
            return _error(400, "Validation error", "email must be a string")
        if lead_id is None and email is None:
            return _error(400, "Validation error", "lead_id or email is required")
        stored = self._find_for_tags(lead_id, email)
        if stored is None:
            return FakeResponse(404, {"error": "Lead not found"})
        before = self.lead_tags.get(stored["id"], [])
        names = list(dict.fromkeys(tags))  # the full set, each name once
        if self.has_quirk("tags_appended"):
            names = list(dict.fromkeys([*(tag["name"] for tag in before), *names]))
        after = [self._tag(name) for name in names]
        self.lead_tags[stored["id"]] = after
        before_ids, after_ids = [tag["id"] for tag in before], [tag["id"] for tag in after]
        return FakeResponse(
            200,
            {
                "success": True,
                "lead_id": stored["id"],
                "tags": copy.deepcopy(after),
                "added": [tag_id for tag_id in after_ids if tag_id not in before_ids],
                "removed": [tag_id for tag_id in before_ids if tag_id not in after_ids],
            },
        )

    def _find_for_tags(self, lead_id: str | None, email: str | None) -> dict[str, Any] | None:
        """lead_id wins when both are sent; email matches case-insensitively (the Patch Tags page)."""
        if lead_id is not None and not (email is not None and self.has_quirk("email_wins")):
            return self.leads.get(lead_id)
        if self.has_quirk("email_case_sensitive"):
            found = [lead for lead in self.leads.values() if lead.get("email") == email]
        else:
            wanted = (email or "").casefold()
            found = [lead for lead in self.leads.values() if lead.get("email") and lead["email"].casefold() == wanted]
        return found[0] if found else None

    @staticmethod
    def _tag(name: str) -> dict[str, str]:
        slug = "-".join(name.lower().split()) or "tag"
        return {"id": str(uuid.uuid5(uuid.NAMESPACE_URL, f"nexor-tag:{name}")), "name": name, "slug": slug}

    # POST /leads/{id}/status ----------------------------------------------------------------

    def set_status(self, request: FakeRequest, match: Match) -> FakeResponse:
        stored, refused = self._lead_or_error(match)
        if stored is None:
            return refused or FakeResponse(404, {"error": "Lead not found"})
        try:
            body = request.json()
        except ValueError:
            return _error(400, "Validation error", "Request body must be valid JSON")
        if not isinstance(body, dict):
            return _error(400, "Validation error", "Request body must be a JSON object")
        status_key = body.get("status_key")
        if not isinstance(status_key, str):
            return _error(400, "Validation error", "status_key is required and must be a string")
        if "reason" in body and not isinstance(body["reason"], str):
            return _error(400, "Validation error", "reason must be a string")
        workflow_id = body.get("workflow_id")
        if "workflow_id" in body and not (isinstance(workflow_id, str) and is_uuid(workflow_id)):
            return _error(400, "Validation error", "workflow_id must be a valid UUID")
        run = self.runs.get(stored["id"])
        if run is None or (workflow_id is not None and workflow_id != run["workflow_id"]):
            return _error(400, "Validation error", "The lead has no active run of that workflow")
        workflow = self.workflows[run["workflow_id"]]
        if status_key not in workflow["statuses"]:
            return _error(400, "Validation error", f"status_key {status_key!r} does not exist in the lead's workflow")
        previous = run["status_key"]
        run["status_key"] = status_key
        result: dict[str, Any] = {
            "success": True,
            "changed": previous != status_key or self.has_quirk("status_always_changed"),
            "previous_status": previous,
            "new_status": status_key,
            "workflow_run": {"id": run["id"], "workflow_id": run["workflow_id"]},
        }
        if previous == status_key:
            result["note"] = f"The lead was already in status {status_key!r}"
        return FakeResponse(200, result)


def _validate_update(body: Any) -> str | None:
    """The update body's types (PATCH page): every field optional; the nullable ones may be null."""
    if not isinstance(body, dict):
        return "Request body must be a JSON object"
    for name in ("first_name", "source"):
        if name in body and not isinstance(body[name], str):
            return f"{name} must be a string"
    for name in NULLABLE_STRINGS:
        if name in body and not (body[name] is None or isinstance(body[name], str)):
            return f"{name} must be a string or null"
    email = body.get("email")
    if email is not None and not (isinstance(email, str) and is_email(email)):
        return "email must be a valid email address or null"
    campaign_id = body.get("campaign_id")
    if campaign_id is not None and not (isinstance(campaign_id, str) and is_uuid(campaign_id)):
        return "campaign_id must be a valid UUID or null"
    if "metadata" in body:
        metadata = body["metadata"]
        if not isinstance(metadata, dict):
            return "metadata must be an object"
        for key, value in metadata.items():
            if not isinstance(value, METADATA_VALUE_TYPES):
                return f"metadata values must be strings, numbers or booleans ({key!r} is not)"
    return None
