"""A stateful fake of DialNexa's campaign-leads and workflow-leads API, written from its docs.

Sources: the Get a campaign lead page (the contract: the record, 403 when the key cannot read campaign
data, 404 when the lead does not exist or was removed), the authentication page (Bearer ``key_id:secret``,
the 401 body), the error envelope ``{statusCode, message, error}`` (``message`` an array when several fields
fail) and the rate-limits page (the X-RateLimit-* headers on every response, the 429 body and Retry-After).

Campaign leads (the Mintlify create, update, delete and upload pages, research-notes §3):

* create takes camelCase ``name, phoneNumber, campaignId, countryCode, notes`` (notes: up to 15 pairs) and
  answers 201 (the errors page's "201 (POST)") with the snake_case record, ``phone_number`` in E.164 (the
  country code followed by the number), status ``pending``, no call log yet; an unknown campaign is 404;
* update is allowed only while the lead is ``pending`` (otherwise 409, the errors page's state conflict): it
  takes the curl body's ``name, phoneNumber, countryCode, notes`` and the body table's ``phone_number,
  metadata``; ``notes``/``metadata`` replace the whole object; fields not sent are left as they were;
* delete answers 200 ``{"message": "Lead removed from campaign."}`` and marks the lead ``removed`` (Get then
  answers 404, a second delete 404); 409 when the lead's campaign is completed or cancelled;
* upload takes one ``file`` (CSV, XLSX or XLS, at most 10 MB, a ``phone_number`` column, up to 15 more columns
  that become the lead's notes). A row whose phone number is not E.164 is skipped (``leads_skipped``); a row
  whose destination the fake's Telephony Config blocks (``BLOCKED_PREFIXES``) makes the whole upload a 400
  whose ``message`` lists the row errors grouped by reason. The fake reads CSV only: an XLSX/XLS file is
  accepted by type and answered 400 "could not be read" (it cannot parse Excel).

Workflow leads (DialNexa's published OpenAPI, research-notes §3): list (``leadIds`` narrows it), upload
(201 with the created ids per phone number), delete (404 "Workflow lead not found" once gone), history and
variable-keys (the keys of the dynamic variables across the workflow's leads); an unknown workflow is 404
"Workflow not found", another organisation's 403 "You do not have permission to access this workflow", a
wrong file type 400 "File must be a CSV or Excel file (.csv, .xlsx, .xls)".

Seeded records the vendor data names through ``fixtures``: a paused test campaign (``campaign_id``), a lead
whose call has started (``started_lead_id``, ``in_progress``), a lead of a completed campaign
(``completed_campaign_lead_id``), a paused test workflow (``workflow_id``) and another organisation's workflow
(``foreign_workflow_id``). The published OpenAPI's example
workflow and lead (``workflow_abc123``, ``lead_abc123``) are seeded too, with a history, for the spec's examples.

Quirks (``contracts.fakes._core.Quirk``) that break a documented behaviour, for the suite's self-tests:
``update_after_call_started`` (PATCH accepted whatever the status), ``delete_keeps_lead`` (delete answers 200
but the lead stays readable), ``delete_completed_campaign`` (no 409 for a completed campaign),
``upload_counts_off_by_one`` (leads_created one more than created), ``update_merges_notes`` (notes merged into
the old object instead of replacing it), ``workflow_delete_keeps_lead`` (the workflow lead is still listed).
"""

from __future__ import annotations

import copy
import csv
import io
import re
import uuid
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any, ClassVar

from contracts.fakes._core import FakeRequest, FakeResponse, FakeVendor, Match, Route

E164 = re.compile(r"^\+[1-9][0-9]{6,14}$")
NATIONAL_NUMBER = re.compile(r"^[0-9]{6,12}$")
COUNTRY_CODE = re.compile(r"^\+[1-9][0-9]{0,2}$")
MAX_NOTES = 15
"""notes: "up to 15 key-value pairs" (create page); the upload's "up to 15 extra columns"."""
MAX_FILE_BYTES = 10 * 1024 * 1024
FILE_TYPES = (".csv", ".xlsx", ".xls")
FILE_MEDIA_TYPES = (
    "text/csv",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/vnd.ms-excel",
)
WRONG_FILE_TYPE = "File must be a CSV or Excel file (.csv, .xlsx, .xls)"
BLOCKED_PREFIXES = ("+882", "+883")
"""Destinations the fake account's Telephony Config blocks (international networks): an upload naming one fails
destination validation (400)."""
CLOSED_CAMPAIGN = ("completed", "cancelled")

TEST_CAMPAIGN = "cmp_testpaused01"
COMPLETED_CAMPAIGN = "cmp_completed001"
STARTED_LEAD = "lead_started0001"
COMPLETED_CAMPAIGN_LEAD = "lead_cmpdone0001"
TEST_WORKFLOW = "workflow_testpaused1"
OTHER_ORG_WORKFLOW = "workflow_otherorg01"
SEEDED_WORKFLOW_LEAD = "lead_wfseed00001"
DOCS_WORKFLOW = "workflow_abc123"
DOCS_WORKFLOW_LEAD = "lead_abc123"

REASONS = {400: "Bad Request", 403: "Forbidden", 404: "Not Found", 409: "Conflict"}


def _error(status: int, message: str | list[str], error: str | None = None) -> FakeResponse:
    return FakeResponse(status, {"statusCode": status, "message": message, "error": error or REASONS[status]})


def _now() -> str:
    now = datetime.now(UTC)
    return now.strftime("%Y-%m-%dT%H:%M:%S.") + f"{now.microsecond // 1000:03d}Z"


def _new_id(prefix: str) -> str:
    return f"{prefix}{uuid.uuid4().hex[:12]}"  # uuid4: what a recording pins (tests/fixtures/cassettes.py)


def _type_errors(body: Mapping[str, Any], strings: tuple[str, ...], objects: tuple[str, ...]) -> list[str]:
    """NestJS-style validation messages for the fields present with the wrong type."""
    errors = [f"{name} must be a string" for name in strings if name in body and not isinstance(body[name], str)]
    for name in objects:
        if name not in body:
            continue
        if not isinstance(body[name], dict):
            errors.append(f"{name} must be an object")
        elif len(body[name]) > MAX_NOTES:
            errors.append(f"{name} must have at most {MAX_NOTES} key-value pairs")
    return errors


def _pattern_errors(body: Mapping[str, Any]) -> list[str]:
    errors = []
    checks = (("phoneNumber", NATIONAL_NUMBER), ("countryCode", COUNTRY_CODE), ("phone_number", E164))
    for name, pattern in checks:
        value = body.get(name)
        if isinstance(value, str) and not pattern.match(value):
            errors.append(f"{name} must be a valid {'country code' if name == 'countryCode' else 'phone number'}")
    return errors


class DialNexaFake(FakeVendor):
    name: ClassVar[str] = "dialnexa"
    server_path: ClassVar[str] = "/v1"
    # Keys are "key_id:secret", sent whole.
    api_key: ClassVar[str] = "key_fake0001:dnxsecret000000000000000000000000"
    restricted_key: ClassVar[str | None] = "key_fake0002:dnxsecretnocampaigns00000000000"
    known_lead_id: ClassVar[str] = "lead_abc123"
    fixtures: ClassVar[Mapping[str, str]] = {
        "campaign_id": TEST_CAMPAIGN,
        "started_lead_id": STARTED_LEAD,
        "completed_campaign_lead_id": COMPLETED_CAMPAIGN_LEAD,
        "workflow_id": TEST_WORKFLOW,
        "foreign_workflow_id": OTHER_ORG_WORKFLOW,
    }
    # The rate-limits page: these headers on every response, Retry-After (seconds) on 429. It publishes no
    # numbers, so the fake's unenforced window reports 100 per minute.
    rate_limit_headers: ClassVar[Mapping[str, str]] = {
        "X-RateLimit-Limit": "limit",
        "X-RateLimit-Remaining": "remaining",
        "X-RateLimit-Reset": "reset",
    }

    def routes(self) -> list[Route]:
        # variable-keys before {id}: the two templates are distinct, but a path matches the more specific first.
        return [
            Route("GET", "/campaigns-leads/{id}", self.get_campaign_lead),
            Route("PATCH", "/campaigns-leads/{id}", self.update_campaign_lead),
            Route("DELETE", "/campaigns-leads/{id}", self.delete_campaign_lead),
            Route("POST", "/campaigns-leads", self.create_campaign_lead),
            Route("POST", "/campaigns-leads/upload-file/{campaignId}", self.upload_campaign_leads),
            Route("GET", "/workflows/{workflowId}/leads/variable-keys", self.workflow_variable_keys),
            Route("GET", "/workflows/{workflowId}/leads", self.list_workflow_leads),
            Route("POST", "/workflows/{workflowId}/leads", self.upload_workflow_leads),
            Route("DELETE", "/workflows/{workflowId}/leads/{id}", self.delete_workflow_lead),
            Route("GET", "/workflows/{workflowId}/leads/{id}/history", self.workflow_lead_history),
        ]

    def reset(self) -> None:
        self.campaigns: dict[str, dict[str, Any]] = {
            "cmp_xyz789": {"status": "active"},
            "cmp_5tw8vz2rnx1q": {"status": "active"},
            TEST_CAMPAIGN: {"status": "paused"},
            COMPLETED_CAMPAIGN: {"status": "completed"},
        }
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
            STARTED_LEAD: {
                "id": STARTED_LEAD,
                "name": "Call Started",
                "phone_number": "+15550100",
                "campaign_id": "cmp_5tw8vz2rnx1q",
                "status": "in_progress",
                "notes": {"product": "home_loan"},
                "call_log_id": "log_started0001",
                "created_at": "2024-05-03T09:05:00.000Z",
            },
            COMPLETED_CAMPAIGN_LEAD: {
                "id": COMPLETED_CAMPAIGN_LEAD,
                "name": "Campaign Done",
                "phone_number": "+15550101",
                "campaign_id": COMPLETED_CAMPAIGN,
                "status": "completed",
                "notes": {},
                "call_log_id": "log_cmpdone0001",
                "created_at": "2024-05-04T09:05:00.000Z",
            },
        }
        # (country code, national number) of each lead, so an update of one of them keeps the other.
        self.dialling: dict[str, tuple[str | None, str | None]] = {}
        self.workflows: dict[str, dict[str, Any]] = {
            TEST_WORKFLOW: {"own": True, "leads": {}},
            OTHER_ORG_WORKFLOW: {"own": False, "leads": {}},
        }
        # The published OpenAPI's example workflow and lead (read-only: no write may name them), with a history.
        self.workflows[DOCS_WORKFLOW] = {"own": True, "leads": {}}
        self.workflows[DOCS_WORKFLOW]["leads"][DOCS_WORKFLOW_LEAD] = {
            "id": DOCS_WORKFLOW_LEAD,
            "phone_number": "+919876543210",
            "dynamic_variables": {"customer_name": "Priya Sharma", "product": "home_loan"},
            "status": "completed",
            "createdAt": "2024-05-05T09:00:00.000Z",
        }
        self.workflows[TEST_WORKFLOW]["leads"][SEEDED_WORKFLOW_LEAD] = {
            "id": SEEDED_WORKFLOW_LEAD,
            "phone_number": "+15550102",
            "dynamic_variables": {"customer_name": "Ana"},
            "status": "completed",
            "createdAt": "2024-05-05T09:05:00.000Z",
        }
        self.histories: dict[str, list[dict[str, Any]]] = {
            DOCS_WORKFLOW_LEAD: [
                {
                    "node_id": "node_call00",
                    "node_type": "VOICE_CALL",
                    "label": "Call not placed yet",
                    "status": "pending",
                    "call_id": None,
                    "started_at": None,
                    "ended_at": None,
                },
                {
                    "node_id": "node_call01",
                    "node_type": "VOICE_CALL",
                    "label": "First call",
                    "status": "completed",
                    "call_id": "call_abc123",
                    "started_at": "2024-05-05T09:01:00.000Z",
                    "ended_at": "2024-05-05T09:03:00.000Z",
                },
            ],
            SEEDED_WORKFLOW_LEAD: [
                {
                    "node_id": "node_call01",
                    "node_type": "VOICE_CALL",
                    "label": "First call",
                    "status": "completed",
                    "call_id": "call_seed00001",
                    "started_at": "2024-05-05T09:10:00.000Z",
                    "ended_at": "2024-05-05T09:12:00.000Z",
                }
            ],
        }

    def authenticate(self, request: FakeRequest) -> FakeResponse | None:
        key = self.presented_key(request, "Authorization")
        if key == self.restricted_key:
            if request.path.startswith("/workflows/"):
                return _error(403, "You do not have permission to access this workflow")
            return _error(403, "You do not have permission to read campaign data on this workspace")
        if key != self.api_key:
            return _error(401, "Unauthorized", "Unauthorized")
        return None

    def not_found(self, request: FakeRequest) -> FakeResponse:
        return _error(404, f"Cannot {request.method} {request.path}")

    def _unrouted(self, request: FakeRequest) -> FakeResponse:
        """405 with the methods of the most specific template the path matches: ``.../leads/variable-keys``
        is its own resource (GET), not the workflow lead ``{id}`` that DELETE takes."""
        matching = [route for route in self._routes if route.path_matches(request.path)]
        if not matching:
            return self.not_found(request)
        literal = max(route.template.count("/") - route.template.count("{") for route in matching)
        allowed = sorted(
            {route.method for route in matching if route.template.count("/") - route.template.count("{") == literal}
        )
        return FakeResponse(405, {"error": "Method not allowed"}, headers={"Allow": ", ".join(allowed)})

    def rate_limited_body(self) -> Any:
        return {
            "statusCode": 429,
            "message": "Too many requests. Please slow down and retry after a moment.",
            "error": "Too Many Requests",
        }

    # campaign leads ----------------------------------------------------------------------------

    def _live_lead(self, lead_id: str) -> dict[str, Any] | None:
        lead = self.leads.get(lead_id)
        # "404 Not Found is returned when the lead does not exist or has been removed."
        return None if lead is None or lead["status"] == "removed" else lead

    def get_campaign_lead(self, request: FakeRequest, match: Match) -> FakeResponse:
        lead = self._live_lead(match.params["id"])
        if lead is None:
            return _error(404, "Campaign lead not found")
        return FakeResponse(200, copy.deepcopy(lead))

    @staticmethod
    def _json_object(request: FakeRequest) -> dict[str, Any] | FakeResponse:
        if not request.body.strip():
            return {}  # an empty body is an empty object (so an update naming nothing changes nothing)
        try:
            body = request.json()
        except ValueError:
            return _error(400, "The request body must be a JSON object")
        if not isinstance(body, dict):
            return _error(400, "The request body must be a JSON object")
        return body

    def create_campaign_lead(self, request: FakeRequest, match: Match) -> FakeResponse:
        body = self._json_object(request)
        if isinstance(body, FakeResponse):
            return body
        errors = [
            f"{name} should not be empty" for name in ("phoneNumber", "countryCode", "campaignId") if name not in body
        ]
        errors += _type_errors(body, ("name", "phoneNumber", "campaignId", "countryCode"), ("notes",))
        errors += _pattern_errors(body)
        if errors:
            return _error(400, errors)
        if body["campaignId"] not in self.campaigns:
            return _error(404, "Campaign not found")
        lead_id = _new_id("lead_")
        lead = {
            "id": lead_id,
            "name": body.get("name", ""),
            "phone_number": body["countryCode"] + body["phoneNumber"],
            "campaign_id": body["campaignId"],
            "status": "pending",
            "notes": copy.deepcopy(body.get("notes", {})),
            "call_log_id": None,
            "created_at": _now(),
        }
        self.leads[lead_id] = lead
        self.dialling[lead_id] = (body["countryCode"], body["phoneNumber"])
        return FakeResponse(201, copy.deepcopy(lead))

    def update_campaign_lead(self, request: FakeRequest, match: Match) -> FakeResponse:
        body = self._json_object(request)
        if isinstance(body, FakeResponse):
            return body
        errors = _type_errors(body, ("name", "phoneNumber", "countryCode", "phone_number"), ("notes", "metadata"))
        errors += _pattern_errors(body)
        if errors:
            return _error(400, errors)
        lead_id = match.params["id"]
        lead = self._live_lead(lead_id)
        if lead is None:
            return _error(404, "Campaign lead not found")
        # "Allowed only while the lead is pending; data is locked once a call starts."
        if lead["status"] != "pending" and not self.has_quirk("update_after_call_started"):
            return _error(409, f"Lead can only be updated while pending; it is {lead['status']}")
        if "name" in body:
            lead["name"] = body["name"]
        if "phone_number" in body:
            lead["phone_number"] = body["phone_number"]
            self.dialling[lead_id] = (None, None)
        if "phoneNumber" in body or "countryCode" in body:
            code, number = self.dialling.get(lead_id, (None, None))
            code = body.get("countryCode", code)
            number = body.get("phoneNumber", number)
            self.dialling[lead_id] = (code, number)
            if code is not None and number is not None:
                lead["phone_number"] = code + number
        for name in ("notes", "metadata"):  # metadata: the body table's name for notes; "replaces the existing object"
            if name in body:
                merged = {**lead["notes"], **body[name]} if self.has_quirk("update_merges_notes") else body[name]
                lead["notes"] = copy.deepcopy(merged)
        return FakeResponse(200, copy.deepcopy(lead))

    def delete_campaign_lead(self, request: FakeRequest, match: Match) -> FakeResponse:
        lead = self._live_lead(match.params["id"])
        if lead is None:
            return _error(404, "Campaign lead not found")
        campaign = self.campaigns.get(lead["campaign_id"], {})
        if campaign.get("status") in CLOSED_CAMPAIGN and not self.has_quirk("delete_completed_campaign"):
            return _error(409, f"Cannot remove a lead from a {campaign['status']} campaign")
        if not self.has_quirk("delete_keeps_lead"):
            lead["status"] = "removed"  # an in-progress call is allowed to finish
        return FakeResponse(200, {"message": "Lead removed from campaign."})

    def _read_rows(self, request: FakeRequest) -> tuple[list[str], list[dict[str, str]]] | FakeResponse:
        """The uploaded file's header and rows, or the documented 400."""
        part = request.form_file("file")
        if part is None:
            return _error(400, "file is required")
        filename, media_type, content = part
        name = (filename or "").lower()
        if not name.endswith(FILE_TYPES) and media_type not in FILE_MEDIA_TYPES:
            return _error(400, WRONG_FILE_TYPE)
        if len(content) > MAX_FILE_BYTES:
            return _error(400, "File must be at most 10 MB")
        if name.endswith((".xlsx", ".xls")) or (not name.endswith(".csv") and media_type != "text/csv"):
            return _error(400, "The file could not be read (this fake reads CSV files only)")
        try:
            reader = csv.DictReader(io.StringIO(content.decode("utf-8-sig")))
            header = [column.strip() for column in reader.fieldnames or []]
            rows = [{(k or "").strip(): (v or "").strip() for k, v in row.items()} for row in reader]
        except (UnicodeDecodeError, csv.Error):
            return _error(400, "The file could not be read as CSV")
        if "phone_number" not in header:
            return _error(400, "The file must have a phone_number column")
        if len([column for column in header if column != "phone_number"]) > MAX_NOTES:
            return _error(400, f"At most {MAX_NOTES} columns besides phone_number")
        return header, rows

    @staticmethod
    def _variables(row: Mapping[str, str]) -> dict[str, str]:
        return {key: value for key, value in row.items() if key and key != "phone_number" and value}

    def upload_campaign_leads(self, request: FakeRequest, match: Match) -> FakeResponse:
        read = self._read_rows(request)
        if isinstance(read, FakeResponse):
            return read
        _, rows = read
        campaign_id = match.params["campaignId"]
        if campaign_id not in self.campaigns:
            return _error(404, "Campaign not found")
        valid = [row for row in rows if E164.match(row.get("phone_number", ""))]
        blocked = [
            f"row {index} ({row['phone_number']})"
            for index, row in enumerate(rows, start=2)
            if row in valid and row["phone_number"].startswith(BLOCKED_PREFIXES)
        ]
        if blocked:
            # "400 with grouped row errors when destination validation fails": one message per reason.
            return _error(400, [f"Destination blocked by the Telephony Config: {', '.join(blocked)}"])
        for row in valid:
            lead_id = _new_id("lead_")
            self.leads[lead_id] = {
                "id": lead_id,
                "name": row.get("name", ""),
                "phone_number": row["phone_number"],
                "campaign_id": campaign_id,
                "status": "pending",
                "notes": self._variables(row),
                "call_log_id": None,
                "created_at": _now(),
            }
        created = len(valid) + (1 if self.has_quirk("upload_counts_off_by_one") else 0)
        skipped = len(rows) - len(valid)
        return FakeResponse(
            201,
            {
                "campaign_id": campaign_id,
                "leads_created": created,
                "leads_skipped": skipped,
                "message": f"{created} leads created, {skipped} skipped",
            },
        )

    # workflow leads ----------------------------------------------------------------------------

    def _workflow(self, workflow_id: str) -> dict[str, Any] | FakeResponse:
        workflow = self.workflows.get(workflow_id)
        if workflow is None:
            return _error(404, "Workflow not found")
        if not workflow["own"]:
            return _error(403, "You do not have permission to access this workflow")
        return workflow

    def list_workflow_leads(self, request: FakeRequest, match: Match) -> FakeResponse:
        workflow = self._workflow(match.params["workflowId"])
        if isinstance(workflow, FakeResponse):
            return workflow
        leads = list(workflow["leads"].values())
        if "leadIds" in request.query:
            wanted = {part.strip() for part in request.query["leadIds"].split(",") if part.strip()}
            leads = [lead for lead in leads if lead["id"] in wanted]
        data = copy.deepcopy(leads)
        return FakeResponse(
            200, {"statusCode": 200, "message": "Leads fetched successfully", "data": data, "count": len(data)}
        )

    def upload_workflow_leads(self, request: FakeRequest, match: Match) -> FakeResponse:
        workflow = self._workflow(match.params["workflowId"])
        if isinstance(workflow, FakeResponse):
            return workflow
        read = self._read_rows(request)
        if isinstance(read, FakeResponse):
            return read
        _, rows = read
        created: dict[str, list[str]] = {}
        for row in rows:
            number = row.get("phone_number", "")
            if not E164.match(number):
                continue
            lead_id = _new_id("lead_")
            workflow["leads"][lead_id] = {
                "id": lead_id,
                "phone_number": number,
                "dynamic_variables": self._variables(row),
                "status": "pending",
                "createdAt": _now(),
            }
            self.histories[lead_id] = []
            created.setdefault(number, []).append(lead_id)
        count = sum(len(ids) for ids in created.values())
        return FakeResponse(
            201, {"statusCode": 201, "message": "Leads uploaded successfully", "data": created, "count": count}
        )

    def delete_workflow_lead(self, request: FakeRequest, match: Match) -> FakeResponse:
        workflow = self._workflow(match.params["workflowId"])
        if isinstance(workflow, FakeResponse):
            return workflow
        lead_id = match.params["id"]
        if lead_id not in workflow["leads"]:
            return _error(404, "Workflow lead not found")
        if not self.has_quirk("workflow_delete_keeps_lead"):
            del workflow["leads"][lead_id]
        return FakeResponse(200, {"statusCode": 200, "message": "Lead removed successfully"})

    def workflow_lead_history(self, request: FakeRequest, match: Match) -> FakeResponse:
        workflow = self._workflow(match.params["workflowId"])
        if isinstance(workflow, FakeResponse):
            return workflow
        lead = workflow["leads"].get(match.params["id"])
        if lead is None:
            return _error(404, "Workflow lead not found")
        data = {"lead": copy.deepcopy(lead), "history": copy.deepcopy(self.histories.get(lead["id"], []))}
        return FakeResponse(200, {"statusCode": 200, "message": "Lead history fetched successfully", "data": data})

    def workflow_variable_keys(self, request: FakeRequest, match: Match) -> FakeResponse:
        workflow = self._workflow(match.params["workflowId"])
        if isinstance(workflow, FakeResponse):
            return workflow
        keys = sorted({key for lead in workflow["leads"].values() for key in lead["dynamic_variables"]})
        return FakeResponse(
            200, {"statusCode": 200, "message": "Variable keys fetched successfully", "data": {"keys": keys}}
        )
