"""Nexor: what its docs promise, as data. The schemas themselves live in specs/nexor.yaml."""

from __future__ import annotations

from contracts.values.model import ABSENT, PRESENT, Capability, Scenario, Step, Vendor, lazy_fake, standard_probes

READ = "GET /leads/{id}"
CREATE = "POST /leads"
CREATE_DOC = "seeds/003 Create Lead"

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
    probes=standard_probes(
        operation=READ,
        id_parameter="id",
        missing_key_schema="#/components/schemas/MissingApiKeyError",
        invalid_key_schema="#/components/schemas/InvalidApiKeyError",
        doc="seeds/000 Get Lead; authentication page",
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
            steps=(
                Step(
                    operation=CREATE,
                    body={
                        "first_name": "Ada",
                        "last_name": "Lovelace",
                        "email": "{unique_email}",
                        "phone": "+15550100",
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
                    },
                ),
            ),
        ),
        Scenario(
            name="unknown top-level keys are mapped into metadata",
            doc=f"{CREATE_DOC}: Automatic metadata mapping",
            needs=frozenset({Capability.WRITES}),
            steps=(
                Step(
                    operation=CREATE,
                    body={"first_name": "Tony", "edad": 35, "broker": "Tony"},
                    expect_status=(200, 201),
                    save={"lead_id": "/lead/id"},
                    expect={"/lead/metadata": {"edad": 35, "broker": "Tony"}},
                ),
                Step(
                    operation=READ,
                    path_params={"id": "{lead_id}"},
                    expect_status=(200,),
                    expect={"/metadata": {"edad": 35, "broker": "Tony"}},
                ),
            ),
        ),
        Scenario(
            name="explicit metadata wins over top-level keys",
            doc=f"{CREATE_DOC}: explicit metadata values take precedence",
            needs=frozenset({Capability.WRITES}),
            steps=(
                Step(
                    operation=CREATE,
                    body={"first_name": "Tony", "edad": 35, "ciudad": "Lima", "metadata": {"edad": 40}},
                    expect_status=(200, 201),
                    save={"lead_id": "/lead/id"},
                    expect={"/lead/metadata": {"edad": 40, "ciudad": "Lima"}},
                ),
                Step(
                    operation=READ,
                    path_params={"id": "{lead_id}"},
                    expect_status=(200,),
                    expect={"/metadata": {"edad": 40, "ciudad": "Lima"}},
                ),
            ),
        ),
        Scenario(
            name="a missing first_name is rejected",
            doc=f"{CREATE_DOC}: first_name is required",
            needs=frozenset({Capability.WRITES}),
            steps=(Step(operation=CREATE, body={"last_name": "Doe", "email": "{unique_email}"}, expect_status=(400,)),),
        ),
        Scenario(
            name="force_first_message without workflow_id is rejected",
            doc=f"{CREATE_DOC}: force_first_message requires workflow_id",
            # force_first_message is an outreach field: a vendor that wrongly accepted it could message someone.
            needs=frozenset({Capability.WRITES, Capability.OUTREACH}),
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
