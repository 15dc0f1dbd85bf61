"""Nexor: what its docs promise, as data. The schemas themselves live in specs/nexor.yaml.

Every scenario says how the docs back it (``evidence``): a deviation from a stated or shown behaviour is a
contract failure, from a contested or inferred one a warning that quotes the doc line.
"""

from __future__ import annotations

from contracts.values.evidence import Evidence, Level
from contracts.values.model import (
    ABSENT,
    PRESENT,
    Capability,
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
    ),
    created_id_pointers={CREATE: "/lead/id"},
    outreach_fields={CREATE: ("workflow_id", "campaign_id", "force_first_message")},
    marker_pointer={CREATE: "/metadata"},
    docs="https://docs.getnexor.ai/docs/en/api",
)
