"""Nexor: what its docs promise, as data. The schemas themselves live in specs/nexor.yaml.

Every scenario says how the docs back it (``evidence``): a deviation from a stated or shown behaviour is a
contract failure, from a contested or inferred one a warning that quotes the doc line.
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
    Vendor,
    lazy_fake,
    standard_probes,
)

READ = "GET /leads/{id}"
CREATE = "POST /leads"
CREATE_DOC = "seeds/003 Create Lead"
GET_PAGE = "seeds/000_e8c0a8ffe923a307.txt (Get Lead)"
CREATE_PAGE = "seeds/003_d136e3b764ea1e2d.txt (Create Lead)"
NEWER_GET_PAGE = "https://docs.getnexor.ai/docs/en/api/leads/get-lead (newer page, research-notes §1)"
PATCH_PAGE = "https://docs.getnexor.ai/docs/leads/patch-lead (research-notes §1)"
UPDATE_PAGES = "https://docs.getnexor.ai/docs/leads/update-lead and /docs/leads/patch-lead (research-notes §1)"
TAGS_PAGE = "https://docs.getnexor.ai/docs/leads/patch-tags (research-notes §1)"
STATUS_PAGE = "https://docs.getnexor.ai/docs/es/api/leads/set-status (research-notes §1)"
AUTH_PAGE = "https://docs.getnexor.ai/docs/en/api/authentication (research-notes §1 Auth)"

PUT = "PUT /leads/{id}"
PATCH = "PATCH /leads/{id}"
TAGS = "PUT /leads/tags"
STATUS = "POST /leads/{id}/status"

IDENTICAL = "PUT /leads/{id} and PATCH /leads/{id} … Documented as identical partial updates"
PARTIAL = (
    "Body (all optional): first_name: string; last_name: string|null; email: email|null; phone: string|null; "
    "company: string|null; title: string|null; source: string"
)
SHALLOW = "metadata: object; shallow-merged with existing keys"
FULL_SET = "tags: string[], required; this is the full set, and [] clears all tags"
BY_EMAIL = "lead_id: uuid, or email (case-insensitive); lead_id wins if both are sent"
CHANGED = "changed:false means the lead was already in that status"
NO_DELETE = (
    "Nexor documents no delete (DELETE /leads/{id} is seen only in client code, recorded in the spec as a "
    "discrepancy and never sent), so the lifecycle ends at the read of the update: the read-404-after-delete "
    "part does not apply, and the lead stays (reported as not cleaned up)."
)
UNKNOWN_STATUS = "contracts-no-such-status"
"""A status_key no workflow has."""

MAPPING = (
    "Any keys in the request body that are not core lead columns (first_name, last_name, email, phone, "
    "workflow_id, campaign_id, force_first_message) will automatically be mapped into the metadata object."
)
PRECEDENCE = (
    "If you provide both top-level extra keys and a metadata object, they will be merged, with explicit "
    "metadata values taking precedence."
)
MALFORMED_ID = "not-a-uuid"
"""A lead id that is not the page's string (uuid)."""

VENDOR = Vendor(
    name="nexor",
    title="Nexor",
    spec_file="nexor.yaml",
    env_prefix="NEXOR",
    security_scheme="ApiKeyAuth",
    read_operation=READ,
    id_parameter="id",
    unknown_id="00000000-0000-4000-8000-000000000000",
    invalid_key="nxr_live_0000000000000000000000000000000000000000",
    fake=lazy_fake("contracts.fakes.nexor", "NexorFake"),
    probes=(
        *standard_probes(
            operation=READ,
            id_parameter="id",
            missing_key_schema="#/components/schemas/MissingApiKeyError",
            invalid_key_schema="#/components/schemas/InvalidApiKeyError",
            doc="seeds/000 Get Lead; authentication page",
        ),
        Probe(
            name="malformed id",
            operation=READ,
            path_params={"id": MALFORMED_ID},
            expect_status=400,
            doc="Nexor's validation 400 (PATCH page, research-notes §1); Get Lead's id is a string (uuid)",
            # Neither lead page lists a 400: the status comes from the vendor's convention, so a vendor that
            # answers a malformed id with its documented 404 gets a warning, not a failure.
            evidence=Evidence(
                Level.INFERRED,
                source=PATCH_PAGE,
                quote="Listed responses: 400 validation, 401, 404 lead not found, 500",
            ),
        ),
        *(
            Probe(
                name=f"{label.split()[0]} unknown id",
                operation=label,
                path_params={"id": "{unknown_id}"},
                expect_status=404,
                doc=doc,
            )
            for label, doc in (
                (PATCH, "PATCH page: 404 lead not found"),
                (PUT, "update-lead page, identical to PATCH: 404 lead not found"),
            )
        ),
        Probe(
            name="status unknown id",
            operation=STATUS,
            path_params={"id": "{unknown_id}"},
            expect_status=404,
            doc="set-status page (no error listed): Nexor's 404 for an unknown lead",
        ),
        # The credential probes of the writes name no lead this run could change: the unknown id (a vendor that
        # ignores the key then answers 404, a behaviour mismatch at the status), and for the tags no body at all.
        *(
            Probe(
                name=f"{label} {kind} key",
                operation=label,
                path_params=params,
                credentials=credentials,
                expect_status=401,
                expect_schema=f"#/components/schemas/{schema}",
                doc="authentication page",
            )
            for label, params in (
                (PATCH, {"id": "{unknown_id}"}),
                (PUT, {"id": "{unknown_id}"}),
                (TAGS, {}),
                (STATUS, {"id": "{unknown_id}"}),
            )
            for kind, credentials, schema in (
                ("missing", Credentials.NONE, "MissingApiKeyError"),
                ("invalid", Credentials.INVALID, "InvalidApiKeyError"),
            )
        ),
    ),
    seed=Step(
        operation=CREATE,
        body={"first_name": "Contract", "last_name": "Suite", "email": "{unique_email}"},
        expect_status=(200, 201),
        save={"lead_id": "/lead/id"},
    ),
    scenarios=(
        Scenario(
            name="create then read returns what was sent",
            doc=f"{CREATE_DOC}; seeds/000 Get Lead",
            needs=frozenset({Capability.WRITES}),
            # The read-back rests on Get Lead's 200 body, which the newer Get Lead page wraps in an envelope.
            evidence=Evidence(
                Level.CONTESTED,
                source=f"{GET_PAGE} against {NEWER_GET_PAGE}",
                quote=(
                    "Retrieve a single lead by ID with all fields including metadata, … (a bare lead) against the "
                    "newer page's {success:true, lead:{id, first_name, …, metadata, …}, variables:{…}}"
                ),
            ),
            steps=(
                Step(
                    operation=CREATE,
                    body={
                        "first_name": "Ada",
                        "last_name": "Lovelace",
                        "email": "{unique_email}",
                        "phone": "+15550100",
                        "broker": "Tony",
                        "metadata": {"edad": 36},
                    },
                    expect_status=(200, 201),
                    save={"lead_id": "/lead/id", "sent_email": "/lead/email"},
                    expect={
                        "/success": True,
                        "/lead/first_name": "Ada",
                        "/lead/last_name": "Lovelace",
                        "/lead/phone": "+15550100",
                    },
                ),
                Step(
                    operation=READ,
                    path_params={"id": "{lead_id}"},
                    expect_status=(200,),
                    expect={
                        "/id": "{lead_id}",
                        "/first_name": "Ada",
                        "/last_name": "Lovelace",
                        "/email": "{sent_email}",
                        "/phone": "+15550100",
                        "/metadata": {"edad": 36, "broker": "Tony"},
                    },
                ),
            ),
        ),
        Scenario(
            name="unknown top-level keys are mapped into metadata",
            doc=f"{CREATE_DOC}: Automatic metadata mapping",
            needs=frozenset({Capability.WRITES}),
            evidence=Evidence(Level.STATED, source=CREATE_PAGE, quote=MAPPING),
            steps=(
                Step(
                    operation=CREATE,
                    # Every core column that is not an outreach field, beside the docs' two extra keys.
                    body={
                        "first_name": "Tony",
                        "last_name": "Stark",
                        "email": "{unique_email}",
                        "phone": "+15550102",
                        "edad": 35,
                        "broker": "Tony",
                    },
                    expect_status=(200, 201),
                    expect={
                        "/lead/metadata": {"edad": 35, "broker": "Tony"},
                        "/lead/metadata/first_name": ABSENT,
                        "/lead/metadata/last_name": ABSENT,
                        "/lead/metadata/email": ABSENT,
                        "/lead/metadata/phone": ABSENT,
                    },
                ),
            ),
        ),
        Scenario(
            name="explicit metadata wins over top-level keys",
            doc=f"{CREATE_DOC}: explicit metadata values take precedence",
            needs=frozenset({Capability.WRITES}),
            evidence=Evidence(Level.STATED, source=CREATE_PAGE, quote=PRECEDENCE),
            steps=(
                Step(
                    operation=CREATE,
                    body={"first_name": "Tony", "edad": 35, "ciudad": "Lima", "metadata": {"edad": 40}},
                    expect_status=(200, 201),
                    expect={"/lead/metadata": {"edad": 40, "ciudad": "Lima"}, "/lead/metadata/first_name": ABSENT},
                ),
            ),
        ),
        Scenario(
            name="a missing first_name is rejected",
            doc=f"{CREATE_DOC}: first_name is required",
            needs=frozenset({Capability.WRITES}),
            evidence=Evidence(
                Level.STATED, source=CREATE_PAGE, quote="first_name … string … required … Lead's first name"
            ),
            steps=(Step(operation=CREATE, body={"last_name": "Doe", "email": "{unique_email}"}, expect_status=(400,)),),
        ),
        Scenario(
            name="force_first_message without workflow_id is rejected",
            doc=f"{CREATE_DOC}: force_first_message requires workflow_id",
            # force_first_message is an outreach field: a vendor that wrongly accepted it could message someone.
            needs=frozenset({Capability.WRITES, Capability.OUTREACH}),
            evidence=Evidence(
                Level.STATED,
                source=CREATE_PAGE,
                quote="force_first_message … object … Override the first outreach with a custom message. Requires "
                "workflow_id.",
            ),
            steps=(
                Step(
                    operation=CREATE,
                    body={"first_name": "Tony", "force_first_message": {"text": "Hola"}},
                    expect_status=(400,),
                ),
            ),
        ),
        Scenario(
            name="an assignable workflow gives a workflow_run",
            doc=f"{CREATE_DOC}: workflow_run",
            needs=frozenset({Capability.WRITES, Capability.OUTREACH}),
            variables=("workflow_id",),
            # The page's example: a create with a workflow_id answered with its workflow_run (and no warning,
            # which is only "if lead was created but workflow assignment failed").
            evidence=Evidence(
                Level.SHOWN,
                source=CREATE_PAGE,
                quote='"workflow_id": "uuid-of-workflow", … "workflow_run": { "id": "uuid", "job_id": "job-123", '
                '"workflow": { "id": "uuid", "name": "Sales Outreach" },',
            ),
            steps=(
                Step(
                    operation=CREATE,
                    body={"first_name": "Ana", "phone": "+15550101", "workflow_id": "{workflow_id}"},
                    expect_status=(200, 201),
                    expect={"/workflow_run/workflow/id": "{workflow_id}", "/warning": ABSENT},
                ),
            ),
        ),
        Scenario(
            name="a workflow that cannot be assigned gives a warning",
            doc=f"{CREATE_DOC}: phone is required for workflows with call steps; warning",
            needs=frozenset({Capability.WRITES, Capability.OUTREACH}),
            # NEXOR_WORKFLOW_ID must name a workflow with call steps: without a phone it cannot be assigned.
            variables=("workflow_id",),
            # "required if assigning" could as well be a 400: the page does not say which (x-doc-discrepancy on
            # POST /leads), so a vendor that refuses the create gets a warning quoting both rows.
            evidence=Evidence(
                Level.CONTESTED,
                source=CREATE_PAGE,
                quote="Lead's phone number (required if assigning to a workflow with call steps) … "
                "Warning message if lead was created but workflow assignment failed",
            ),
            steps=(
                Step(
                    operation=CREATE,
                    body={"first_name": "Ana", "workflow_id": "{workflow_id}"},
                    expect_status=(200, 201),
                    expect={"/warning": PRESENT, "/lead/id": PRESENT},
                ),
            ),
        ),
        Scenario(
            name="lifecycle: create, read, patch one field, read",
            doc=f"{CREATE_DOC}; seeds/000 Get Lead; PATCH page. {NO_DELETE}",
            needs=frozenset({Capability.WRITES}),
            # The reads rest on Get Lead's 200 body, which the newer Get Lead page wraps in an envelope.
            evidence=Evidence(
                Level.CONTESTED,
                source=f"{PATCH_PAGE} and {GET_PAGE} against {NEWER_GET_PAGE}",
                quote=f"{PARTIAL} … Retrieve a single lead by ID with all fields … (a bare lead) against the newer "
                "page's {success:true, lead:{…}, variables:{…}}",
            ),
            steps=(
                Step(
                    operation=CREATE,
                    body={
                        "first_name": "Ada",
                        "last_name": "Lovelace",
                        "email": "{unique_email}",
                        "phone": "+15550110",
                        "metadata": {"edad": 36},
                    },
                    expect_status=(200, 201),
                    save={"lead_id": "/lead/id", "sent_email": "/lead/email", "created_at": "/lead/created_at"},
                ),
                Step(
                    operation=READ,
                    path_params={"id": "{lead_id}"},
                    expect_status=(200,),
                    expect={
                        "/id": "{lead_id}",
                        "/first_name": "Ada",
                        "/last_name": "Lovelace",
                        "/email": "{sent_email}",
                        "/phone": "+15550110",
                        "/metadata": {"edad": 36},
                    },
                ),
                Step(
                    operation=PATCH,
                    path_params={"id": "{lead_id}"},
                    body={"last_name": "King"},
                    expect_status=(200,),
                    expect={"/success": True, "/lead/id": "{lead_id}", "/lead/last_name": "King"},
                ),
                Step(
                    operation=READ,
                    path_params={"id": "{lead_id}"},
                    expect_status=(200,),
                    expect={
                        "/id": "{lead_id}",
                        "/last_name": "King",
                        "/first_name": "Ada",
                        "/email": "{sent_email}",
                        "/phone": "+15550110",
                        "/metadata": {"edad": 36},
                        "/created_at": "{created_at}",
                    },
                ),
            ),
        ),
        Scenario(
            name="PATCH changes only the fields sent",
            doc="PATCH page: every body field is optional; a partial update",
            needs=frozenset({Capability.WRITES}),
            evidence=Evidence(Level.STATED, source=PATCH_PAGE, quote=PARTIAL),
            steps=(
                Step(
                    operation=CREATE,
                    body={
                        "first_name": "Ada",
                        "last_name": "Lovelace",
                        "email": "{unique_email}",
                        "phone": "+15550111",
                    },
                    expect_status=(200, 201),
                    save={"lead_id": "/lead/id", "sent_email": "/lead/email"},
                ),
                Step(
                    operation=PATCH,
                    path_params={"id": "{lead_id}"},
                    body={"company": "Analytical Engines"},
                    expect_status=(200,),
                    expect={
                        "/lead/company": "Analytical Engines",
                        "/lead/first_name": "Ada",
                        "/lead/last_name": "Lovelace",
                        "/lead/email": "{sent_email}",
                        "/lead/phone": "+15550111",
                    },
                ),
            ),
        ),
        Scenario(
            name="PUT is the same partial update as PATCH",
            doc="update-lead and patch-lead pages: PUT and PATCH are documented as identical partial updates",
            needs=frozenset({Capability.WRITES}),
            evidence=Evidence(Level.STATED, source=UPDATE_PAGES, quote=IDENTICAL),
            steps=(
                Step(
                    operation=CREATE,
                    body={
                        "first_name": "Grace",
                        "last_name": "Hopper",
                        "email": "{unique_email}",
                        "phone": "+15550112",
                        "metadata": {"rank": "admiral"},
                    },
                    expect_status=(200, 201),
                    save={"lead_id": "/lead/id", "sent_email": "/lead/email"},
                ),
                Step(
                    operation=PUT,
                    path_params={"id": "{lead_id}"},
                    body={"title": "Rear Admiral"},
                    expect_status=(200,),
                    expect={
                        "/success": True,
                        "/lead/title": "Rear Admiral",
                        "/lead/first_name": "Grace",
                        "/lead/last_name": "Hopper",
                        "/lead/email": "{sent_email}",
                        "/lead/phone": "+15550112",
                        "/lead/metadata": {"rank": "admiral"},
                    },
                ),
            ),
        ),
        Scenario(
            name="an update shallow-merges metadata",
            # Why no nested object ({a:1, b:{x:1}} then {b:{y:2}}), which alone would tell a shallow merge from a
            # deep one: the create page says metadata values "can be strings, numbers, or booleans" (the spec
            # follows it, contested), so a nested value is outside what the docs let us send. Within documented
            # values the scenario shows the merge (a kept), a sent key replacing its value (b) and a new key (c).
            doc="PATCH page: metadata is shallow-merged with the existing keys",
            needs=frozenset({Capability.WRITES}),
            evidence=Evidence(Level.STATED, source=PATCH_PAGE, quote=SHALLOW),
            steps=(
                Step(
                    operation=CREATE,
                    body={"first_name": "Ada", "email": "{unique_email}", "metadata": {"a": 1, "b": "x"}},
                    expect_status=(200, 201),
                    save={"lead_id": "/lead/id"},
                ),
                Step(
                    operation=PATCH,
                    path_params={"id": "{lead_id}"},
                    body={"metadata": {"b": "y", "c": 3}},
                    expect_status=(200,),
                    expect={"/lead/metadata": {"a": 1, "b": "y", "c": 3}},
                ),
            ),
        ),
        Scenario(
            name="campaign_id null removes the campaign",
            # NEXOR_CAMPAIGN_ID must name a paused test campaign: assigning a campaign can start outreach.
            doc="PATCH page: campaign_id uuid|null, null removes the campaign; seeds/000 Get Lead's campaign",
            needs=frozenset({Capability.WRITES, Capability.OUTREACH}),
            variables=("campaign_id",),
            # The update's answer has campaign_id where Get Lead has a campaign object (x-doc-discrepancy on
            # PATCH /leads/{id}), and reading the lead back is contested as well.
            evidence=Evidence(
                Level.CONTESTED,
                source=f"{PATCH_PAGE} against {GET_PAGE}",
                quote="campaign_id: uuid|null; null removes the campaign … The PATCH example's lead has campaign_id, "
                "not a campaign object … against Get Lead's campaignobject | nullCampaign the lead is tagged with "
                "(id, name)",
            ),
            steps=(
                Step(
                    operation=CREATE,
                    body={"first_name": "Ada", "email": "{unique_email}", "campaign_id": "{campaign_id}"},
                    expect_status=(200, 201),
                    save={"lead_id": "/lead/id"},
                ),
                Step(
                    operation=READ,
                    path_params={"id": "{lead_id}"},
                    expect_status=(200,),
                    expect={"/campaign/id": "{campaign_id}"},
                ),
                Step(
                    operation=PATCH,
                    path_params={"id": "{lead_id}"},
                    body={"campaign_id": None},
                    expect_status=(200,),
                    expect={"/lead/campaign_id": None},
                ),
                Step(
                    operation=READ,
                    path_params={"id": "{lead_id}"},
                    expect_status=(200,),
                    expect={"/campaign": None},
                ),
            ),
        ),
        Scenario(
            name="an invalid update is refused",
            doc="PATCH page: 400 validation; first_name is a string, email an email (or null)",
            needs=frozenset({Capability.WRITES}),
            evidence=Evidence(
                Level.STATED,
                source=PATCH_PAGE,
                quote="first_name: string … email: email|null … Listed responses: 400 validation, 401, 404 lead not "
                "found, 500",
            ),
            steps=(
                Step(
                    operation=CREATE,
                    body={"first_name": "Ada", "email": "{unique_email}"},
                    expect_status=(200, 201),
                    save={"lead_id": "/lead/id"},
                ),
                Step(
                    operation=PATCH,
                    path_params={"id": "{lead_id}"},
                    body={"first_name": None},
                    expect_status=(400,),
                ),
                Step(
                    operation=PUT,
                    path_params={"id": "{lead_id}"},
                    body={"email": "not-an-email"},
                    expect_status=(400,),
                ),
            ),
        ),
        Scenario(
            name="a tags body without a list of tags is refused",
            doc="Patch Tags page: tags is a required string[]; the 400 is Nexor's convention (no error listed)",
            needs=frozenset({Capability.WRITES}),
            evidence=Evidence(
                Level.INFERRED,
                source=f"{TAGS_PAGE} and {PATCH_PAGE}",
                quote=f"{FULL_SET} … Listed responses: 400 validation, 401, 404 lead not found, 500",
            ),
            steps=(
                Step(
                    operation=CREATE,
                    body={"first_name": "Ada", "email": "{unique_email}"},
                    expect_status=(200, 201),
                    save={"lead_id": "/lead/id"},
                ),
                Step(
                    operation=TAGS,
                    body={"lead_id": "{lead_id}", "tags": "contracts-not-a-list"},
                    expect_status=(400,),
                ),
            ),
        ),
        Scenario(
            name="tags are the full set",
            doc="Patch Tags page: tags is the full set, [] clears all tags; added and removed list the ids",
            needs=frozenset({Capability.WRITES}),
            evidence=Evidence(Level.STATED, source=TAGS_PAGE, quote=FULL_SET),
            steps=(
                Step(
                    operation=CREATE,
                    body={"first_name": "Ada", "email": "{unique_email}"},
                    expect_status=(200, 201),
                    save={"lead_id": "/lead/id"},
                ),
                Step(
                    operation=TAGS,
                    body={"lead_id": "{lead_id}", "tags": ["contracts-a", "contracts-b"]},
                    expect_status=(200,),
                    expect={
                        "/lead_id": "{lead_id}",
                        "/tags/1": PRESENT,
                        "/tags/2": ABSENT,
                        "/added/1": PRESENT,
                        "/added/2": ABSENT,
                        "/removed": [],
                    },
                ),
                Step(
                    operation=TAGS,
                    body={"lead_id": "{lead_id}", "tags": ["contracts-b"]},
                    expect_status=(200,),
                    expect={
                        "/tags/0/name": "contracts-b",
                        "/tags/1": ABSENT,
                        "/added": [],
                        "/removed/0": PRESENT,
                        "/removed/1": ABSENT,
                    },
                ),
                Step(
                    operation=TAGS,
                    body={"lead_id": "{lead_id}", "tags": []},
                    expect_status=(200,),
                    expect={"/tags": [], "/added": [], "/removed/0": PRESENT, "/removed/1": ABSENT},
                ),
            ),
        ),
        Scenario(
            name="tags by email reach the lead with that address",
            # The page says the match is case-insensitive; the scenario sends the address as created, because a
            # run may name only addresses it made up ({unique_email}) and no placeholder gives one in other case
            # (the fake's self-tests cover the case-insensitive match; see the report of issue 10).
            doc="Patch Tags page: the lead is named by lead_id or by email (case-insensitive)",
            needs=frozenset({Capability.WRITES}),
            evidence=Evidence(Level.STATED, source=TAGS_PAGE, quote=BY_EMAIL),
            steps=(
                Step(
                    operation=CREATE,
                    body={"first_name": "Ada", "email": "{unique_email}"},
                    expect_status=(200, 201),
                    save={"lead_id": "/lead/id", "sent_email": "/lead/email"},
                ),
                Step(
                    operation=TAGS,
                    body={"email": "{sent_email}", "tags": ["contracts-by-email"]},
                    expect_status=(200,),
                    expect={"/lead_id": "{lead_id}", "/tags/0/name": "contracts-by-email", "/tags/1": ABSENT},
                ),
            ),
        ),
        Scenario(
            name="tags of an unknown lead are refused",
            doc="Patch Tags page (no error listed): Nexor's 404 for a lead that does not exist",
            needs=frozenset({Capability.WRITES}),
            # The page lists no error response: the 404 is the convention of Nexor's other lead pages.
            evidence=Evidence(Level.INFERRED, source=GET_PAGE, quote="404 — Lead not found"),
            steps=(
                Step(
                    operation=TAGS,
                    body={"lead_id": "{unknown_id}", "tags": ["contracts-nobody"]},
                    expect_status=(404,),
                ),
            ),
        ),
        Scenario(
            name="tags: lead_id wins over email",
            doc="Patch Tags page: lead_id wins if both are sent (both leads created here)",
            needs=frozenset({Capability.WRITES}),
            evidence=Evidence(Level.STATED, source=TAGS_PAGE, quote=BY_EMAIL),
            steps=(
                Step(
                    operation=CREATE,
                    body={"first_name": "Ada", "email": "{unique_email}"},
                    expect_status=(200, 201),
                    save={"first_id": "/lead/id"},
                ),
                Step(
                    operation=CREATE,
                    body={"first_name": "Grace", "email": "{unique_email}"},
                    expect_status=(200, 201),
                    save={"second_id": "/lead/id", "second_email": "/lead/email"},
                ),
                Step(
                    operation=TAGS,
                    body={"lead_id": "{first_id}", "email": "{second_email}", "tags": ["contracts-winner"]},
                    expect_status=(200,),
                    expect={"/lead_id": "{first_id}"},
                ),
            ),
        ),
        Scenario(
            name="tags read back on Get Lead",
            doc="Patch Tags page; the newer Get Lead page shows tags on the lead (the primary page has none)",
            needs=frozenset({Capability.WRITES}),
            evidence=Evidence(
                Level.CONTESTED,
                source=f"{TAGS_PAGE} and {NEWER_GET_PAGE} against {GET_PAGE}",
                quote=f"{FULL_SET} … lead:{{…, metadata{{}}, tags:[], campaign{{id,name}}, …}} against the primary "
                "page's Response Fields, which have no tags",
            ),
            steps=(
                Step(
                    operation=CREATE,
                    body={"first_name": "Ada", "email": "{unique_email}"},
                    expect_status=(200, 201),
                    save={"lead_id": "/lead/id"},
                ),
                Step(
                    operation=TAGS,
                    body={"lead_id": "{lead_id}", "tags": ["contracts-read-back"]},
                    expect_status=(200,),
                ),
                Step(
                    operation=READ,
                    path_params={"id": "{lead_id}"},
                    expect_status=(200,),
                    expect={"/tags/0/name": "contracts-read-back", "/tags/1": ABSENT},
                ),
            ),
        ),
        Scenario(
            name="setting a status says whether it changed",
            # NEXOR_STATUS_KEY must exist in NEXOR_WORKFLOW_ID's workflow and not be the status a new lead starts
            # in (the first set must change it).
            doc="set-status page (es): status_key must exist in the lead's workflow; changed:false when it had it",
            needs=frozenset({Capability.WRITES, Capability.OUTREACH}),
            variables=("workflow_id", "status_key"),
            evidence=Evidence(Level.STATED, source=STATUS_PAGE, quote=CHANGED),
            steps=(
                Step(
                    operation=CREATE,
                    body={"first_name": "Ana", "phone": "+15550113", "workflow_id": "{workflow_id}"},
                    expect_status=(200, 201),
                    save={"lead_id": "/lead/id"},
                    expect={"/workflow_run": PRESENT},
                ),
                Step(
                    operation=STATUS,
                    path_params={"id": "{lead_id}"},
                    body={"status_key": "{status_key}", "reason": "contract suite"},
                    expect_status=(200,),
                    expect={"/changed": True, "/new_status": "{status_key}"},
                ),
                Step(
                    operation=STATUS,
                    path_params={"id": "{lead_id}"},
                    body={"status_key": "{status_key}"},
                    expect_status=(200,),
                    expect={"/changed": False, "/previous_status": "{status_key}", "/new_status": "{status_key}"},
                ),
            ),
        ),
        Scenario(
            name="an unknown status_key is refused",
            doc="set-status page (es): status_key must exist in the lead's workflow; the 400 is Nexor's convention",
            needs=frozenset({Capability.WRITES, Capability.OUTREACH}),
            variables=("workflow_id",),
            # The page lists no error response: the 400 is inferred from the PATCH page's 400 validation.
            evidence=Evidence(
                Level.INFERRED,
                source=f"{STATUS_PAGE} and {PATCH_PAGE}",
                quote="status_key: string, required; must exist in the lead's workflow … Listed responses: 400 "
                "validation, 401, 404 lead not found, 500",
            ),
            steps=(
                Step(
                    operation=CREATE,
                    body={"first_name": "Ana", "phone": "+15550114", "workflow_id": "{workflow_id}"},
                    expect_status=(200, 201),
                    save={"lead_id": "/lead/id"},
                    expect={"/workflow_run": PRESENT},
                ),
                Step(
                    operation=STATUS,
                    path_params={"id": "{lead_id}"},
                    body={"status_key": UNKNOWN_STATUS},
                    expect_status=(400,),
                ),
            ),
        ),
    ),
    # Only the create makes a lead; Nexor documents no delete (cleanup stays empty: created leads are reported as
    # not cleaned up).
    created_id_pointers={CREATE: "/lead/id"},
    outreach_fields={
        CREATE: ("workflow_id", "campaign_id", "force_first_message"),
        # Assigning a campaign can start its outreach.
        PATCH: ("campaign_id",),
        PUT: ("campaign_id",),
    },
    marker_pointer={CREATE: "/metadata"},
    # A status change drives the lead's workflow, which can call or message the lead.
    operation_needs={STATUS: frozenset({Capability.OUTREACH})},
    path_bindings={PATCH: {"id": OWNED}, PUT: {"id": OWNED}, STATUS: {"id": OWNED}},
    body_bindings={TAGS: {"lead_id": OWNED, "email": OWNED}},
    check_exclusions=(
        CheckExclusion(
            operation=STATUS,
            check="positive_data_acceptance",
            reason="status_key must exist in the lead's workflow (set-status page): a string the schema allows is "
            "not a status the workflow has, and a lead the property run creates is in no workflow",
        ),
    ),
    docs="https://docs.getnexor.ai/docs/en/api",
)
