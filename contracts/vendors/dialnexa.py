"""DialNexa: what its docs promise, as data. The schemas themselves live in specs/dialnexa.yaml.

Campaign-lead contracts rest on the Mintlify pages alone (the canonical site and the published OpenAPI do not list
them); workflow-lead contracts on DialNexa's published OpenAPI (research-notes §3). Every write here can make
DialNexa call a person, so each needs ``OUTREACH`` besides writes, and live runs write only to what the user named
for it: a PAUSED test campaign (``DIALNEXA_CAMPAIGN_ID``) and a PAUSED test workflow (``DIALNEXA_WORKFLOW_ID``),
records the run created, and two opt-in user records:

* ``DIALNEXA_STARTED_LEAD_ID``: a lead whose call has started. The suite reads it and sends a PATCH of its
  ``phone_number`` with the number it already has (a no-op even on a vendor that wrongly accepts it), expecting the
  refusal. The number, not the name: Get states phone_number on both its readings, while its Response section has
  no name;
* ``DIALNEXA_COMPLETED_CAMPAIGN_LEAD_ID``: a lead of a completed (or cancelled) campaign that you can afford to
  lose. The suite DELETEs it expecting 409; a broken vendor would really remove it. Without the variable the
  scenario is skipped (there is no safe way to bring a campaign to completed from a run), which is the default.

Clean-up: leads made by ``POST /campaigns-leads`` are deleted by id at the run's end (the documented delete), and
so are workflow leads (``POST /workflows/{workflowId}/leads`` names every created id, ``/data/*/*``; the delete
also needs the workflow, ``DIALNEXA_WORKFLOW_ID``). Leads made by ``POST /campaigns-leads/upload-file/{campaignId}``
CANNOT be cleaned up: its answer names no ids, only counts, and there is no list of a campaign's leads. They stay
``pending`` in the paused test campaign (three reserved fictional +1 555 01xx numbers per upload scenario run).

No run marker is written into created records: ``notes`` holds at most 15 pairs, and a marker added to a
generated body of 15 pairs would turn a valid case into a refused one.
"""

from __future__ import annotations

from contracts.values.evidence import Evidence, Level
from contracts.values.model import (
    ABSENT,
    OWNED,
    PRESENT,
    Capability,
    CheckExclusion,
    Credentials,
    Probe,
    Scenario,
    Step,
    Upload,
    Vendor,
    lazy_fake,
    standard_probes,
)

READ = "GET /campaigns-leads/{id}"
CREATE = "POST /campaigns-leads"
UPDATE = "PATCH /campaigns-leads/{id}"
DELETE = "DELETE /campaigns-leads/{id}"
UPLOAD = "POST /campaigns-leads/upload-file/{campaignId}"
WF_LIST = "GET /workflows/{workflowId}/leads"
WF_UPLOAD = "POST /workflows/{workflowId}/leads"
WF_DELETE = "DELETE /workflows/{workflowId}/leads/{id}"
WF_HISTORY = "GET /workflows/{workflowId}/leads/{id}/history"
WF_KEYS = "GET /workflows/{workflowId}/leads/variable-keys"

DOC = "seeds/002 Get a campaign lead"
GET_PAGE = "seeds/002_9b11b90faadff0f6.txt (Get a campaign lead)"
MINTLIFY = "https://dialnexa.mintlify.app/api-reference"
CREATE_PAGE = f"{MINTLIFY}/campaign-leads/create (research-notes §3)"
UPDATE_PAGE = f"{MINTLIFY}/campaign-leads/update (research-notes §3)"
DELETE_PAGE = f"{MINTLIFY}/campaign-leads/delete (research-notes §3)"
UPLOAD_PAGE = f"{MINTLIFY}/campaign-leads/upload (research-notes §3)"
WORKFLOW_OPENAPI = "api-evangelist/dialnexa openapi/dialnexa-workflow-leads-api-openapi.yml (research-notes §3)"
WORKFLOW_LIST_PAGE = f"{MINTLIFY}/workflow-leads/list (research-notes §3)"

UNKNOWN_WORKFLOW = "workflow_000000000000"
"""A well-formed workflow id that names no workflow (the docs' example is workflow_abc123)."""
WRONG_FILE_TYPE = "File must be a CSV or Excel file (.csv, .xlsx, .xls)"
REMOVED = "Lead removed from campaign."

LEAD = {
    "name": "Contract Suite",
    # A reserved fictional number (+1 555 0100-0199), never a person's.
    "phoneNumber": "5550100",
    "countryCode": "+1",
    "campaignId": "{campaign_id}",
    "notes": {"product": "home_loan", "customer_name": "Contract Suite"},
}
SENT = {
    "/name": "Contract Suite",
    "/phone_number": "+15550100",
    "/campaign_id": "{campaign_id}",
    "/notes": {"product": "home_loan", "customer_name": "Contract Suite"},
}
STATED_READ = {
    "/id": "{lead_id}",
    "/phone_number": "+15550100",
    "/campaign_id": "{campaign_id}",
    "/status": "pending",
}
"""What Get states of the created lead (its field table and both examples agree on these)."""
UPLOAD_ROWS = (
    {"phone_number": "+15550101", "customer_name": "Ada", "product": "home_loan"},
    {"phone_number": "+15550102", "customer_name": "Grace", "product": "home_loan"},
    {"phone_number": "+15550103", "customer_name": "Edsger", "product": "home_loan"},
    {"phone_number": "555-not-a-number", "customer_name": "Nobody", "product": "home_loan"},
)
WORKFLOW_PHONE = "+15550104"
OUTREACH = frozenset({Capability.WRITES, Capability.OUTREACH})

VENDOR = Vendor(
    name="dialnexa",
    title="DialNexa",
    spec_file="dialnexa.yaml",
    env_prefix="DIALNEXA",
    security_scheme="BearerAuth",
    read_operation=READ,
    id_parameter="id",
    unknown_id="lead_000000000000",
    invalid_key="key_00000000:00000000000000000000000000000000",
    fake=lazy_fake("contracts.fakes.dialnexa", "DialNexaFake"),
    probes=(
        *standard_probes(
            operation=READ,
            id_parameter="id",
            missing_key_schema="#/components/schemas/UnauthorizedError",
            invalid_key_schema="#/components/schemas/UnauthorizedError",
            doc=f"{DOC}; authentication page",
        ),
        Probe(
            name="forbidden",
            operation=READ,
            path_params={"id": "{known_lead_id}"},
            credentials=Credentials.RESTRICTED,
            expect_status=403,
            doc=f"{DOC}: 403 when the API key cannot read campaign data",
        ),
        # The writes' error statuses, on the vendor's unknown id only (OWNED accepts it): nothing is changed.
        Probe(
            name="update unknown id",
            operation=UPDATE,
            path_params={"id": "{unknown_id}"},
            expect_status=404,
            doc="Update a campaign lead: an unknown lead is the errors page's 404 (missing or other org)",
        ),
        Probe(
            name="delete unknown id",
            operation=DELETE,
            path_params={"id": "{unknown_id}"},
            expect_status=404,
            doc="Delete a campaign lead: 404 if missing or already removed",
        ),
        Probe(
            name="delete missing key",
            operation=DELETE,
            path_params={"id": "{unknown_id}"},
            credentials=Credentials.NONE,
            expect_status=401,
            expect_schema="#/components/schemas/UnauthorizedError",
            doc="Delete a campaign lead; authentication page (401)",
        ),
        # A key without permission (the errors page's 403: "no permission"), on records no write may change.
        *(
            Probe(
                name=name,
                operation=operation,
                path_params=params,
                credentials=Credentials.RESTRICTED,
                expect_status=403,
                doc="errors page: 403 (no permission); Get a campaign lead: 403 when the key cannot read campaign data",
            )
            for name, operation, params in (
                ("create forbidden", CREATE, {}),
                ("update forbidden", UPDATE, {"id": "{unknown_id}"}),
                ("delete forbidden", DELETE, {"id": "{unknown_id}"}),
            )
        ),
        Probe(
            name="update missing key",
            operation=UPDATE,
            path_params={"id": "{unknown_id}"},
            credentials=Credentials.NONE,
            expect_status=401,
            expect_schema="#/components/schemas/UnauthorizedError",
            doc="Update a campaign lead; authentication page (401)",
        ),
        *(
            Probe(
                name=name,
                operation=operation,
                path_params=params,
                expect_status=404,
                expect={"/message": "Workflow not found"},
                doc='published OpenAPI: an unknown workflow is 404 "Workflow not found"',
                evidence=Evidence(
                    Level.STATED, source=WORKFLOW_OPENAPI, quote='an unknown workflow is 404 "Workflow not found"'
                ),
            )
            for name, operation, params in (
                ("variable keys of an unknown workflow", WF_KEYS, {"workflowId": UNKNOWN_WORKFLOW}),
                ("history in an unknown workflow", WF_HISTORY, {"workflowId": UNKNOWN_WORKFLOW, "id": "{unknown_id}"}),
            )
        ),
        Probe(
            name="workflow leads missing key",
            operation=WF_LIST,
            path_params={"workflowId": UNKNOWN_WORKFLOW},
            credentials=Credentials.NONE,
            expect_status=401,
            expect_schema="#/components/schemas/UnauthorizedError",
            doc="published OpenAPI: 401 on every workflow-lead operation",
        ),
        Probe(
            name="workflow leads invalid key",
            operation=WF_LIST,
            path_params={"workflowId": UNKNOWN_WORKFLOW},
            credentials=Credentials.INVALID,
            expect_status=401,
            expect_schema="#/components/schemas/UnauthorizedError",
            doc="published OpenAPI: 401 on every workflow-lead operation",
        ),
        Probe(
            name="unknown workflow",
            operation=WF_LIST,
            path_params={"workflowId": UNKNOWN_WORKFLOW},
            expect_status=404,
            expect={"/message": "Workflow not found"},
            doc='published OpenAPI: an unknown workflow is 404 "Workflow not found"',
            evidence=Evidence(
                Level.STATED, source=WORKFLOW_OPENAPI, quote='an unknown workflow is 404 "Workflow not found"'
            ),
        ),
    ),
    seed=Step(
        operation=CREATE,
        body={**LEAD, "name": "Contract Suite seed"},
        expect_status=(200, 201),
        save={"lead_id": "/id"},
    ),
    scenarios=(
        Scenario(
            name="campaign lead lifecycle",
            doc="Create, Get, Update and Delete a campaign lead (Mintlify pages)",
            needs=OUTREACH,
            variables=("campaign_id",),
            # The success statuses are the spec's facts (201 inferred): the steps accept 200 or 201 and leave the
            # status to the spec. What the steps check is stated on the pages; the read-back of name and notes,
            # which the Get page contests (its Response section has metadata and no name), is the next scenario.
            evidence=Evidence(
                Level.STATED,
                source=f"{CREATE_PAGE}; {UPDATE_PAGE}; {DELETE_PAGE}; {GET_PAGE}",
                quote=(
                    "Request (camelCase): name, phoneNumber, campaignId, countryCode, notes ... Response (snake_case): "
                    "{id, name, phone_number (E.164), campaign_id, status, notes, call_log_id, created_at}; the curl "
                    'body uses {name, phoneNumber, countryCode, notes}; 200 {"message":"Lead removed from campaign."}; '
                    "404 if missing or already removed; 404 Not Found is returned when the lead does not exist or has "
                    "been removed."
                ),
            ),
            steps=(
                Step(
                    operation=CREATE,
                    body=LEAD,
                    expect_status=(200, 201),
                    expect={**SENT, "/status": "pending", "/id": PRESENT},
                    save={"lead_id": "/id", "created_at": "/created_at"},
                ),
                Step(
                    operation=READ,
                    path_params={"id": "{lead_id}"},
                    expect_status=(200,),
                    expect={**STATED_READ, "/created_at": "{created_at}"},
                ),
                Step(
                    operation=UPDATE,
                    path_params={"id": "{lead_id}"},
                    body={"name": "Contract Suite renamed"},
                    expect_status=(200,),
                ),
                Step(
                    operation=READ,
                    path_params={"id": "{lead_id}"},
                    expect_status=(200,),
                    # Nothing the update did not name changed.
                    expect={**STATED_READ, "/created_at": "{created_at}"},
                ),
                Step(
                    operation=DELETE,
                    path_params={"id": "{lead_id}"},
                    expect_status=(200,),
                    expect={"/message": REMOVED},
                ),
                Step(operation=READ, path_params={"id": "{lead_id}"}, expect_status=(404,)),
                Step(operation=DELETE, path_params={"id": "{lead_id}"}, expect_status=(404,)),
            ),
        ),
        Scenario(
            name="a read shows what was sent and what was updated",
            doc="Create, Get and Update a campaign lead: name and notes read back (Mintlify pages; seeds/002)",
            needs=OUTREACH,
            variables=("campaign_id",),
            # Get's name and notes are contested on its own page (field table and first example against the
            # Response section's metadata and missing name).
            evidence=Evidence(
                Level.CONTESTED,
                source=f"{GET_PAGE}; {UPDATE_PAGE}",
                quote=(
                    "Response field table: name string, notes object (and the first example); the Response section "
                    'example has "metadata" and no name; the curl body uses {name, phoneNumber, countryCode, notes}'
                ),
            ),
            steps=(
                Step(operation=CREATE, body=LEAD, expect_status=(200, 201), save={"lead_id": "/id"}),
                Step(
                    operation=READ,
                    path_params={"id": "{lead_id}"},
                    expect_status=(200,),
                    expect={"/name": "Contract Suite", "/notes": LEAD["notes"]},
                ),
                Step(
                    operation=UPDATE,
                    path_params={"id": "{lead_id}"},
                    body={"name": "Contract Suite renamed"},
                    expect_status=(200,),
                    expect={"/name": "Contract Suite renamed"},
                ),
                Step(
                    operation=READ,
                    path_params={"id": "{lead_id}"},
                    expect_status=(200,),
                    expect={"/name": "Contract Suite renamed", "/notes": LEAD["notes"]},
                ),
                Step(operation=DELETE, path_params={"id": "{lead_id}"}, expect_status=(200,)),
            ),
        ),
        Scenario(
            name="invalid bodies are refused",
            doc="errors page: 400 (validation); message is an array when several fields fail",
            needs=OUTREACH,
            variables=("campaign_id",),
            # The pages give no validation rules and no 400: the status and what counts as invalid are inferred
            # (a lead to call needs a number; a name is a string).
            evidence=Evidence(
                Level.INFERRED,
                source=f"{MINTLIFY}/errors (research-notes §3)",
                quote=(
                    "Envelope {statusCode:int, message:string|string[], error:string}. message is an array when "
                    "several fields fail validation ... Codes: ..., 400, ..."
                ),
            ),
            steps=(
                Step(
                    operation=CREATE,
                    body={"name": "Contract Suite", "campaignId": "{campaign_id}"},
                    expect_status=(400,),
                ),
                Step(operation=CREATE, body=LEAD, expect_status=(200, 201), save={"lead_id": "/id"}),
                Step(
                    operation=UPDATE,
                    path_params={"id": "{lead_id}"},
                    body={"name": 12345},
                    expect_status=(400,),
                ),
                Step(
                    operation=READ,
                    path_params={"id": "{lead_id}"},
                    expect_status=(200,),
                    expect={"/name": "Contract Suite"},
                ),
                Step(operation=DELETE, path_params={"id": "{lead_id}"}, expect_status=(200,)),
            ),
        ),
        Scenario(
            name="notes are replaced by an update",
            doc="Update a campaign lead: metadata (the notes object) replaces the existing object",
            needs=OUTREACH,
            variables=("campaign_id",),
            # The table says it of metadata, the curl body sends notes: the page contradicts itself on the name.
            evidence=Evidence(
                Level.CONTESTED,
                source=UPDATE_PAGE,
                quote=(
                    "The curl body uses {name, phoneNumber, countryCode, notes}; the body table lists phone_number and "
                    'metadata ("replaces the existing object").'
                ),
            ),
            steps=(
                Step(operation=CREATE, body=LEAD, expect_status=(200, 201), save={"lead_id": "/id"}),
                Step(
                    operation=UPDATE,
                    path_params={"id": "{lead_id}"},
                    body={"notes": {"loan_amount": "250000"}},
                    expect_status=(200,),
                    expect={"/notes": {"loan_amount": "250000"}, "/notes/product": ABSENT},
                ),
                Step(
                    operation=READ,
                    path_params={"id": "{lead_id}"},
                    expect_status=(200,),
                    expect={
                        "/notes": {"loan_amount": "250000"},
                        "/notes/product": ABSENT,
                        "/notes/customer_name": ABSENT,
                        "/name": "Contract Suite",
                    },
                ),
                Step(operation=DELETE, path_params={"id": "{lead_id}"}, expect_status=(200,)),
            ),
        ),
        Scenario(
            name="a lead whose call has started cannot be updated",
            doc="Update a campaign lead: allowed only while pending; locked once a call starts",
            needs=OUTREACH,
            variables=("started_lead_id",),
            # The lock is stated; its status is not (409 is the errors page's state conflict), so any refusal the
            # spec documents for the update passes here and the spec grades the status itself.
            evidence=Evidence(
                Level.STATED,
                source=UPDATE_PAGE,
                quote="Allowed only while the lead is `pending`; data is locked once a call starts.",
            ),
            steps=(
                Step(
                    operation=READ,
                    path_params={"id": "{started_lead_id}"},
                    expect_status=(200,),
                    save={"started_phone": "/phone_number"},
                ),
                # The number it already has (phone_number, which Get states on both its readings; the update
                # page's table spelling): a no-op even on a vendor that wrongly accepts it.
                Step(
                    operation=UPDATE,
                    path_params={"id": "{started_lead_id}"},
                    body={"phone_number": "{started_phone}"},
                    expect_status=(409, 400, 403),
                ),
            ),
        ),
        Scenario(
            name="a lead of a completed campaign cannot be removed",
            doc="Delete a campaign lead: 409 if the campaign is completed or cancelled",
            needs=frozenset({Capability.WRITES, Capability.OUTREACH}),
            variables=("completed_campaign_lead_id",),
            evidence=Evidence(Level.STATED, source=DELETE_PAGE, quote="409 if the campaign is completed or cancelled."),
            steps=(
                Step(
                    operation=DELETE,
                    path_params={"id": "{completed_campaign_lead_id}"},
                    expect_status=(409,),
                ),
                Step(operation=READ, path_params={"id": "{completed_campaign_lead_id}"}, expect_status=(200,)),
            ),
        ),
        Scenario(
            name="an upload counts created and skipped rows",
            doc="Upload leads to a campaign: {campaign_id, leads_created, leads_skipped, message}",
            needs=OUTREACH,
            variables=("campaign_id",),
            # Whether a malformed number is skipped or fails the upload with a 400 is not spelled out.
            evidence=Evidence(
                Level.CONTESTED,
                source=UPLOAD_PAGE,
                quote=(
                    "Response: {campaign_id, leads_created:int, leads_skipped:int, message}; 400 with grouped row "
                    "errors when destination validation fails."
                ),
            ),
            steps=(
                Step(
                    operation=UPLOAD,
                    path_params={"campaignId": "{campaign_id}"},
                    upload=Upload(rows=UPLOAD_ROWS),
                    expect_status=(200, 201),
                    expect={"/campaign_id": "{campaign_id}", "/leads_created": 3, "/leads_skipped": 1},
                ),
            ),
        ),
        Scenario(
            name="files the uploads refuse",
            doc="Upload pages: a phone_number column is required; CSV or Excel files only",
            needs=OUTREACH,
            variables=("campaign_id", "workflow_id"),
            evidence=Evidence(
                Level.STATED,
                source=f"{UPLOAD_PAGE}; {WORKFLOW_OPENAPI}",
                quote=(
                    "CSV, XLSX or XLS, at most 10 MB, phone_number column required; a wrong file type is 400 "
                    '"File must be a CSV or Excel file (.csv, .xlsx, .xls)"'
                ),
            ),
            steps=(
                Step(
                    operation=UPLOAD,
                    path_params={"campaignId": "{campaign_id}"},
                    upload=Upload(rows=({"name": "Ada", "number": "+15550105"},)),
                    expect_status=(400,),
                ),
                Step(
                    operation=UPLOAD,
                    path_params={"campaignId": "{campaign_id}"},
                    upload=Upload(content="phone_number\n+15550105\n", filename="leads.txt", media_type="text/plain"),
                    expect_status=(400,),
                ),
                Step(
                    operation=WF_UPLOAD,
                    path_params={"workflowId": "{workflow_id}"},
                    upload=Upload(content="phone_number\n+15550105\n", filename="leads.txt", media_type="text/plain"),
                    expect_status=(400,),
                    expect={"/message": WRONG_FILE_TYPE},
                ),
            ),
        ),
        Scenario(
            name="workflow lead lifecycle",
            doc="Workflow leads (published OpenAPI): upload, history, variable keys, delete",
            needs=OUTREACH,
            variables=("workflow_id",),
            evidence=Evidence(
                Level.STATED,
                source=WORKFLOW_OPENAPI,
                quote=(
                    'POST ... multipart file -> 201 {statusCode:201, message:"Leads uploaded successfully", '
                    'data{"+91...":["lead_abc123"]}, count}; DELETE ... -> {statusCode:200, message:"Lead removed '
                    'successfully"}; 404 message "Workflow lead not found"; GET .../leads/{id}/history -> 200; GET '
                    ".../leads/variable-keys -> 200 {data{keys[string]}}; the keys are the dynamic variables seen "
                    "across the workflow's leads"
                ),
            ),
            steps=(
                Step(
                    operation=WF_UPLOAD,
                    path_params={"workflowId": "{workflow_id}"},
                    upload=Upload(rows=({"phone_number": WORKFLOW_PHONE, "customer_name": "Contract Suite"},)),
                    expect_status=(201,),
                    expect={"/message": "Leads uploaded successfully", "/count": 1},
                    save={"workflow_lead_id": f"/data/{WORKFLOW_PHONE}/0"},
                ),
                Step(
                    operation=WF_HISTORY,
                    path_params={"workflowId": "{workflow_id}", "id": "{workflow_lead_id}"},
                    expect_status=(200,),
                    expect={
                        "/message": "Lead history fetched successfully",
                        "/data/lead/id": "{workflow_lead_id}",
                        "/data/lead/phone_number": WORKFLOW_PHONE,
                        "/data/lead/dynamic_variables": {"customer_name": "Contract Suite"},
                    },
                ),
                Step(
                    operation=WF_KEYS,
                    path_params={"workflowId": "{workflow_id}"},
                    expect_status=(200,),
                    expect={"/message": "Variable keys fetched successfully", "/data/keys": PRESENT},
                ),
                Step(
                    operation=WF_DELETE,
                    path_params={"workflowId": "{workflow_id}", "id": "{workflow_lead_id}"},
                    expect_status=(200,),
                    expect={"/message": "Lead removed successfully"},
                ),
                Step(
                    operation=WF_DELETE,
                    path_params={"workflowId": "{workflow_id}", "id": "{workflow_lead_id}"},
                    expect_status=(404,),
                    expect={"/message": "Workflow lead not found"},
                ),
            ),
        ),
        Scenario(
            name="the workflow list shows an uploaded lead until it is removed",
            doc="List workflow leads by leadIds (published OpenAPI), before and after the delete",
            needs=OUTREACH,
            variables=("workflow_id",),
            # The list's shape is contested by the Mintlify list page ({data, meta}, no leadIds).
            evidence=Evidence(
                Level.CONTESTED,
                source=f"{WORKFLOW_OPENAPI} against {WORKFLOW_LIST_PAGE}",
                quote=(
                    "GET /v1/workflows/{workflowId}/leads?leadIds=id1,id2 -> {statusCode:200, message, data[{id, "
                    "phone_number, dynamic_variables:object, status, createdAt}], count}; the Mintlify list page shows "
                    "{data[...], meta{page, limit, total, totalPages}} with page, limit and status"
                ),
            ),
            steps=(
                Step(
                    operation=WF_UPLOAD,
                    path_params={"workflowId": "{workflow_id}"},
                    upload=Upload(rows=({"phone_number": WORKFLOW_PHONE, "customer_name": "Contract Suite"},)),
                    expect_status=(201,),
                    save={"workflow_lead_id": f"/data/{WORKFLOW_PHONE}/0"},
                ),
                Step(
                    operation=WF_LIST,
                    path_params={"workflowId": "{workflow_id}"},
                    query={"leadIds": "{workflow_lead_id}"},
                    expect_status=(200,),
                    expect={"/count": 1, "/data/0/id": "{workflow_lead_id}", "/data/0/phone_number": WORKFLOW_PHONE},
                ),
                Step(
                    operation=WF_DELETE,
                    path_params={"workflowId": "{workflow_id}", "id": "{workflow_lead_id}"},
                    expect_status=(200,),
                ),
                Step(
                    operation=WF_LIST,
                    path_params={"workflowId": "{workflow_id}"},
                    query={"leadIds": "{workflow_lead_id}"},
                    expect_status=(200,),
                    expect={"/count": 0, "/data": []},
                ),
            ),
        ),
        Scenario(
            name="another organisation's workflow is forbidden",
            doc="Workflow leads (published OpenAPI): 403 for another organisation's workflow (reads only)",
            # DIALNEXA_FOREIGN_WORKFLOW_ID: a workflow of another organisation the key can see exists; only read.
            variables=("foreign_workflow_id",),
            evidence=Evidence(
                Level.STATED,
                source=WORKFLOW_OPENAPI,
                quote='another organisation\'s workflow is 403 "You do not have permission to access this workflow"',
            ),
            steps=tuple(
                Step(
                    operation=operation,
                    path_params=params,
                    expect_status=(403,),
                    expect={"/message": "You do not have permission to access this workflow"},
                )
                for operation, params in (
                    (WF_LIST, {"workflowId": "{foreign_workflow_id}"}),
                    (WF_KEYS, {"workflowId": "{foreign_workflow_id}"}),
                    (WF_HISTORY, {"workflowId": "{foreign_workflow_id}", "id": "{unknown_id}"}),
                )
            ),
        ),
    ),
    # The workflow-lead delete's property unit writes to a workflow lead of its own, not to a campaign lead.
    owned_seeds={
        WF_DELETE: Step(
            operation=WF_UPLOAD,
            path_params={"workflowId": "{workflow_id}"},
            upload=Upload(rows=({"phone_number": WORKFLOW_PHONE, "customer_name": "Contract Suite"},)),
            expect_status=(201,),
            save={"workflow_lead_id": f"/data/{WORKFLOW_PHONE}/0"},
        )
    },
    created_id_pointers={CREATE: "/id", WF_UPLOAD: "/data/*/*"},
    cleanup={CREATE: DELETE, WF_UPLOAD: WF_DELETE},
    # An upload's answer counts the leads it created and names none: every report lists them as not cleaned up.
    unnamed_creations={UPLOAD: "/leads_created"},
    operation_needs={
        label: frozenset({Capability.OUTREACH}) for label in (CREATE, UPDATE, DELETE, UPLOAD, WF_UPLOAD, WF_DELETE)
    },
    path_bindings={
        UPDATE: {"id": OWNED},
        DELETE: {"id": OWNED},
        UPLOAD: {"campaignId": "campaign_id"},
        WF_UPLOAD: {"workflowId": "workflow_id"},
        WF_DELETE: {"workflowId": "workflow_id", "id": OWNED},
    },
    body_bindings={CREATE: {"campaignId": "campaign_id"}},
    user_records=("started_lead_id", "completed_campaign_lead_id"),
    check_exclusions=tuple(
        CheckExclusion(
            operation=label,
            check="positive_data_acceptance",
            reason=(
                "the file's content cannot be written as a schema: a generated file is schema-valid but not a CSV "
                "or Excel file with a phone_number column, which the docs say is refused with 400"
            ),
        )
        for label in (UPLOAD, WF_UPLOAD)
    ),
    docs="https://dialnexa.mintlify.app/api-reference",
)
