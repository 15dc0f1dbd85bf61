"""PollyBot: what its docs promise, as data. The schemas themselves live in specs/pollybot.yaml.

The Get Lead page (seeds/001) is the primary page; the create, list, update and delete pages are known from
research-notes §2, which quotes them. Every scenario and walk says how the docs back it (``evidence``): a deviation
from a stated or shown behaviour is a contract failure, from a contested or inferred one a warning quoting it.
"""

from __future__ import annotations

from dataclasses import replace

from contracts.values.evidence import Evidence, Level
from contracts.values.model import (
    ABSENT,
    OWNED,
    PRESENT,
    Capability,
    Credentials,
    ItemFilter,
    Paging,
    Probe,
    RateLimitPolicy,
    Scenario,
    Step,
    Vendor,
    Walk,
    lazy_fake,
    standard_probes,
)

READ = "GET /api/v1/leads/{leadId}"
CREATE = "POST /api/v1/chatbots/{chatbotId}/leads"
LIST = "GET /api/v1/leads"
UPDATE = "PUT /api/v1/leads/{leadId}"
DELETE = "DELETE /api/v1/leads/{leadId}"
DOC = "seeds/001 Get Lead"
PAGE = "seeds/001_cd12364042984b04.txt"
CREATE_PAGE = "https://pollybot.app/docs/api-endpoints/leads/create (research-notes §2)"
LIST_PAGE = "https://pollybot.app/docs/api-endpoints/leads/list (research-notes §2)"
UPDATE_PAGE = "https://pollybot.app/docs/api-endpoints/leads/update (research-notes §2)"
DELETE_PAGE = "https://pollybot.app/docs/api-endpoints/leads/delete (research-notes §2)"
INDEX_PAGE = "https://pollybot.app/docs/api-endpoints/leads (leads index page, research-notes §2)"
CHATBOT = {"chatbotId": "{chatbot_id}"}
"""The create's path: the chatbot the user names (POLLYBOT_CHATBOT_ID; the fake seeds one)."""

ECHOES_UNKNOWN_ID = Evidence(
    Level.SHOWN,
    source=PAGE,
    quote=(
        '404 Not Found ... "details": { "leadId": "lead_nonexistent123", '
        '"message": "No lead found with this ID in your workspace" }'
    ),
)
"""The page's only 404 example names the id that was not found ("this ID") in ``details.leadId``."""

ECHOES_MALFORMED_ID = Evidence(
    Level.SHOWN,
    source=PAGE,
    quote=(
        '400 Bad Request - Invalid ID Format ... "details": { "leadId": "invalid-id", "expected": '
        '"lead_[alphanumeric string]", "message": "Lead IDs must start with \'lead_\' followed by alphanumeric '
        'characters" }'
    ),
)
"""The page's only 400 example echoes the malformed id, the one its "Invalid ID Format" is about."""


RETURNS_THE_LEAD_ASKED_FOR = Evidence(
    Level.STATED,
    source=PAGE,
    quote=(
        "Retrieve a specific lead by ID ... GET ${baseUrl}/api/v1/leads/{leadId} ... "
        '"id": "lead_1234567890abcdef", ... curl -X GET "https://your-domain.com/api/v1/leads/lead_1234567890abcdef"'
    ),
)
"""The page retrieves "a specific lead by ID": the lead read is the one asked for (its example shows that id)."""

ECHOES = {
    "known lead": ({"/data/id": "{leadId}"}, RETURNS_THE_LEAD_ASKED_FOR),
    "unknown id": ({"/details/leadId": "{leadId}"}, ECHOES_UNKNOWN_ID),
}


def _echoing(probe: Probe) -> Probe:
    """The standard probes that also check the id in the body is the one they asked for."""
    if probe.name not in ECHOES:
        return probe
    expect, evidence = ECHOES[probe.name]
    return replace(probe, expect=expect, evidence=evidence)


# -- the other lead pages (research-notes §2) -------------------------------------------------------------------

CREATE_REQUIRES = Evidence(
    Level.STATED,
    source=CREATE_PAGE,
    quote="Required: name (string), email (string, valid email)",
)
"""The create page's required fields: a create without one is refused (400, the index page's validation code)."""

STATUS_ENUM = Evidence(
    Level.INFERRED,
    source=INDEX_PAGE,
    quote="Optional: phone (string), source (string), status (enum) ... Status enum: new, contacted, qualified, "
    "converted, lost, follow_up",
)
"""The create page types status as an enum; its values are the index page's, so a refusal is inferred."""

PARTIAL_UPDATE = Evidence(
    Level.STATED,
    source=UPDATE_PAGE,
    quote="Partial update even though the method is PUT. ... Returns the updated lead.",
)
MERGE = Evidence(
    Level.STATED,
    source=UPDATE_PAGE,
    quote="metadata is merged; arrays inside metadata are replaced, not merged",
)
NULL_CLEARS = Evidence(Level.STATED, source=UPDATE_PAGE, quote="sending null clears a field.")
DELETED_IS_GONE = Evidence(
    Level.STATED,
    source=f"{DELETE_PAGE}; {PAGE}",
    quote='{success:true, message:"Lead deleted successfully", data{id, deletedAt}}. Deletion is permanent ... '
    "Common causes: Lead ID doesn't exist, lead was deleted",
)
"""The delete page: deletion is permanent; the Get Lead page: a deleted lead is one of its 404's causes."""

SECOND_DELETE = Evidence(
    Level.INFERRED,
    source=f"{DELETE_PAGE}; {PAGE}",
    quote="Deletion is permanent ... Common causes: Lead ID doesn't exist, lead was deleted",
)
"""No page says what a second delete answers; the Get Lead page's 404 for a deleted lead is the nearest."""

UNKNOWN_ON_WRITE = Evidence(
    Level.INFERRED,
    source=PAGE,
    quote='"code": "LEAD_NOT_FOUND", "details": { "leadId": "lead_nonexistent123", "message": "No lead found with '
    'this ID in your workspace" }',
)
"""The update and delete pages show no 404: Get Lead's (its code, and details naming the id asked for)."""

LIST_QUERY = Evidence(
    Level.STATED,
    source=LIST_PAGE,
    quote="Query: page (integer, default 1), limit (integer, max 100), status, source, search (matches name and email)",
)
LIST_PAGES = Evidence(
    Level.SHOWN,
    source=LIST_PAGE,
    quote="Query: page (integer, default 1), limit (integer, max 100), status, source, search (matches name and "
    "email) ... pagination{page, limit, total, totalPages, hasNext, hasPrev}",
)
"""The list page names the query and the pagination members; what each member means is read from its name."""

LIMIT_REFUSED = Evidence(
    Level.INFERRED,
    source=f"{LIST_PAGE}; {INDEX_PAGE}",
    quote="limit (integer, max 100) ... Common codes: 200, 201, 400, 401, 404, 429",
)
"""The list page gives the maximum, not what a larger limit gets: refused (400) is the spec's reading."""

ECHOES_ON_WRITE = {"/details/leadId": "{leadId}"}

WRITE_PROBES = (
    Probe(
        name="update unknown id",
        operation=UPDATE,
        path_params={"leadId": "{unknown_id}"},
        expect_status=404,
        expect=ECHOES_ON_WRITE,
        doc="update page; Get Lead's 404 LEAD_NOT_FOUND",
        evidence=UNKNOWN_ON_WRITE,
    ),
    Probe(
        name="delete unknown id",
        operation=DELETE,
        path_params={"leadId": "{unknown_id}"},
        expect_status=404,
        expect=ECHOES_ON_WRITE,
        doc="delete page; Get Lead's 404 LEAD_NOT_FOUND",
        evidence=UNKNOWN_ON_WRITE,
    ),
    Probe(
        name="update missing key",
        operation=UPDATE,
        path_params={"leadId": "{unknown_id}"},
        credentials=Credentials.NONE,
        expect_status=401,
        expect_schema="#/components/schemas/MissingAuthHeaderError",
        doc="update page; authentication page",
    ),
    Probe(
        name="delete missing key",
        operation=DELETE,
        path_params={"leadId": "{unknown_id}"},
        credentials=Credentials.NONE,
        expect_status=401,
        expect_schema="#/components/schemas/MissingAuthHeaderError",
        doc="delete page; authentication page",
    ),
    Probe(
        name="list missing key",
        operation=LIST,
        credentials=Credentials.NONE,
        expect_status=401,
        expect_schema="#/components/schemas/MissingAuthHeaderError",
        doc="list page; authentication page",
    ),
    Probe(
        name="list invalid key",
        operation=LIST,
        credentials=Credentials.INVALID,
        expect_status=401,
        expect_schema="#/components/schemas/InvalidApiKeyError",
        doc="list page; authentication page",
    ),
)
"""The documented errors of the other lead operations that need no body (a write probe names only the unknown id,
which a binding to OWNED allows; a malformed id would be refused by the client, so the 400 is left to the property
units). The create's 401 has no probe: its path needs the user's chatbot, and a Probe has no ``variables``."""

WRITES = frozenset({Capability.WRITES})
NEEDS_CHATBOT = ("chatbot_id",)

SENT = {
    "name": "Ada Lovelace",
    # An address of this run's own (example.com, never delivered), written out so the read-back compares it.
    "email": "contracts+{run_id}-lifecycle@example.com",
    "phone": "+1-555-010-0001",
    "source": "contract-suite",
    "status": "new",
    "metadata": {"plan": "basic", "interests": ["product_a"]},
}
"""What the lifecycle creates; the read-back must show each of these."""

LIFECYCLE = Scenario(
    name="create, read back, update one field, read, delete, read gives 404",
    doc="create, get, update and delete pages (research-notes §2); seeds/001 Get Lead",
    needs=WRITES,
    variables=NEEDS_CHATBOT,
    evidence=Evidence(
        Level.STATED,
        source=f"{UPDATE_PAGE}; {DELETE_PAGE}; {PAGE}",
        quote="Partial update even though the method is PUT. ... Returns the updated lead. ... Deletion is permanent "
        "... Common causes: Lead ID doesn't exist, lead was deleted",
    ),
    steps=(
        Step(
            operation=CREATE,
            path_params=CHATBOT,
            body=SENT,
            expect_status=(201,),
            save={"lead_id": "/data/id", "created_at": "/data/createdAt"},
            expect={f"/data/{key}": value for key, value in SENT.items()},
        ),
        Step(
            operation=READ,
            path_params={"leadId": "{lead_id}"},
            expect_status=(200,),
            expect={
                "/data/id": "{lead_id}",
                "/data/createdAt": "{created_at}",
                **{f"/data/{key}": value for key, value in SENT.items()},
            },
        ),
        Step(
            operation=UPDATE,
            path_params={"leadId": "{lead_id}"},
            body={"status": "qualified"},
            expect_status=(200,),
            expect={"/data/id": "{lead_id}", "/data/status": "qualified"},
        ),
        Step(
            operation=READ,
            path_params={"leadId": "{lead_id}"},
            expect_status=(200,),
            expect={
                "/data/status": "qualified",
                "/data/createdAt": "{created_at}",
                **{f"/data/{key}": value for key, value in SENT.items() if key != "status"},
            },
        ),
        Step(
            operation=DELETE,
            path_params={"leadId": "{lead_id}"},
            expect_status=(200,),
            expect={"/success": True, "/message": "Lead deleted successfully", "/data/id": "{lead_id}"},
        ),
        Step(
            operation=READ,
            path_params={"leadId": "{lead_id}"},
            expect_status=(404,),
            expect={"/code": "LEAD_NOT_FOUND"},
        ),
    ),
)

SCENARIOS = (
    LIFECYCLE,
    Scenario(
        name="a deleted lead cannot be deleted again",
        doc="delete page (research-notes §2); seeds/001 Get Lead's 404",
        needs=WRITES,
        variables=NEEDS_CHATBOT,
        evidence=SECOND_DELETE,
        steps=(
            Step(
                operation=CREATE,
                path_params=CHATBOT,
                body={"name": "Grace Hopper", "email": "{unique_email}"},
                expect_status=(201,),
                save={"lead_id": "/data/id"},
            ),
            Step(operation=DELETE, path_params={"leadId": "{lead_id}"}, expect_status=(200,)),
            Step(
                operation=DELETE,
                path_params={"leadId": "{lead_id}"},
                expect_status=(404,),
                expect={"/code": "LEAD_NOT_FOUND"},
            ),
        ),
    ),
    Scenario(
        name="an update merges metadata and replaces its arrays",
        doc="update page (research-notes §2): metadata merged, arrays replaced",
        needs=WRITES,
        variables=NEEDS_CHATBOT,
        evidence=MERGE,
        steps=(
            Step(
                operation=CREATE,
                path_params=CHATBOT,
                body={
                    "name": "Merge Check",
                    "email": "{unique_email}",
                    "metadata": {"a": 1, "arr": [1, 2], "keep": "k"},
                },
                expect_status=(201,),
                save={"lead_id": "/data/id"},
            ),
            Step(
                operation=UPDATE,
                path_params={"leadId": "{lead_id}"},
                body={"metadata": {"arr": [3], "b": 2}},
                expect_status=(200,),
                expect={"/data/metadata": {"a": 1, "arr": [3], "keep": "k", "b": 2}},
            ),
            Step(
                operation=READ,
                path_params={"leadId": "{lead_id}"},
                expect_status=(200,),
                expect={"/data/metadata": {"a": 1, "arr": [3], "keep": "k", "b": 2}, "/data/name": "Merge Check"},
            ),
        ),
    ),
    Scenario(
        name="null clears a field and leaves the others",
        doc="update page (research-notes §2): sending null clears a field",
        needs=WRITES,
        variables=NEEDS_CHATBOT,
        # Cleared is null, not absent: Get Lead returns the complete lead object, whose phone the spec requires
        # (nullable, as a field the create page makes optional).
        evidence=NULL_CLEARS,
        steps=(
            Step(
                operation=CREATE,
                path_params=CHATBOT,
                body={"name": "Null Check", "email": "{unique_email}", "phone": "+1-555-010-0002", "source": "web"},
                expect_status=(201,),
                save={"lead_id": "/data/id"},
            ),
            Step(
                operation=UPDATE,
                path_params={"leadId": "{lead_id}"},
                body={"phone": None},
                expect_status=(200,),
                expect={"/data/phone": None, "/data/source": "web"},
            ),
            Step(
                operation=READ,
                path_params={"leadId": "{lead_id}"},
                expect_status=(200,),
                expect={"/data/phone": None, "/data/source": "web", "/data/name": "Null Check"},
            ),
        ),
    ),
    Scenario(
        name="a create without name is refused",
        doc="create page (research-notes §2): name is required",
        needs=WRITES,
        variables=NEEDS_CHATBOT,
        evidence=CREATE_REQUIRES,
        steps=(Step(operation=CREATE, path_params=CHATBOT, body={"email": "{unique_email}"}, expect_status=(400,)),),
    ),
    Scenario(
        name="a create without email is refused",
        doc="create page (research-notes §2): email is required",
        needs=WRITES,
        variables=NEEDS_CHATBOT,
        evidence=CREATE_REQUIRES,
        steps=(Step(operation=CREATE, path_params=CHATBOT, body={"name": "No Email"}, expect_status=(400,)),),
    ),
    Scenario(
        name="a create with a status outside the enum is refused",
        doc="create page: status (enum); the index page's status enum (research-notes §2)",
        needs=WRITES,
        variables=NEEDS_CHATBOT,
        evidence=STATUS_ENUM,
        steps=(
            Step(
                operation=CREATE,
                path_params=CHATBOT,
                body={"name": "Bad Status", "email": "{unique_email}", "status": "archived"},
                expect_status=(400,),
            ),
        ),
    ),
    Scenario(
        name="an update with a status outside the enum is refused",
        doc="update page; the index page's status enum (research-notes §2)",
        needs=WRITES,
        variables=NEEDS_CHATBOT,
        evidence=STATUS_ENUM,
        steps=(
            Step(
                operation=CREATE,
                path_params=CHATBOT,
                body={"name": "Enum Check", "email": "{unique_email}"},
                expect_status=(201,),
                save={"lead_id": "/data/id"},
            ),
            Step(
                operation=UPDATE,
                path_params={"leadId": "{lead_id}"},
                body={"status": "archived"},
                expect_status=(400,),
            ),
            Step(
                operation=READ,
                path_params={"leadId": "{lead_id}"},
                expect_status=(200,),
                expect={"/data/status": "new"},
            ),
        ),
    ),
    Scenario(
        name="search finds this run's new leads, two to a page",
        doc="list page (research-notes §2): search matches name and email; page, limit, pagination",
        needs=WRITES,
        variables=NEEDS_CHATBOT,
        evidence=LIST_PAGES,
        # Three leads named after a tag only this scenario uses: the list, searched for it, holds exactly them.
        # They stay until the run's clean-up, so the list walk below finds this run's leads on several pages.
        steps=(
            *(
                Step(
                    operation=CREATE,
                    path_params=CHATBOT,
                    body={"name": f"Batch {{run_marker}} {n}", "email": "{unique_email}", "source": "contract-suite"},
                    expect_status=(201,),
                )
                for n in (1, 2, 3)
            ),
            Step(
                operation=LIST,
                query={"search": "Batch {run_marker}", "limit": "2"},
                expect_status=(200,),
                expect={
                    "/data/pagination/page": 1,
                    "/data/pagination/limit": 2,
                    "/data/pagination/total": 3,
                    "/data/pagination/totalPages": 2,
                    "/data/pagination/hasNext": True,
                    "/data/pagination/hasPrev": False,
                    "/data/leads/1": PRESENT,
                    "/data/leads/2": ABSENT,
                },
            ),
            Step(
                operation=LIST,
                query={"search": "Batch {run_marker}", "limit": "2", "page": "2"},
                expect_status=(200,),
                expect={
                    "/data/pagination/page": 2,
                    "/data/pagination/hasNext": False,
                    "/data/pagination/hasPrev": True,
                    "/data/leads/0": PRESENT,
                    "/data/leads/1": ABSENT,
                },
            ),
        ),
    ),
    Scenario(
        name="a limit above 100 is refused",
        doc="list page (research-notes §2): limit max 100",
        evidence=LIMIT_REFUSED,
        steps=(Step(operation=LIST, query={"limit": "101"}, expect_status=(400,)),),
    ),
)

WALKS = (
    Walk(
        name="this run's leads, page by page",
        doc="list page (research-notes §2): page, limit, status, source, search; pagination",
        operation=LIST,
        paging=Paging.PAGE,
        limit=2,
        items="/data/leads",
        query={"search": "{run_id}"},
        page="/data/pagination/page",
        total="/data/pagination/total",
        total_pages="/data/pagination/totalPages",
        has_next="/data/pagination/hasNext",
        has_prev="/data/pagination/hasPrev",
        filters=(
            ItemFilter(query={"search": "{run_id}"}, pointer="/name|/email", value="{run_id}", contains=True),
            ItemFilter(query={"status": "qualified"}, pointer="/status", value="qualified"),
            ItemFilter(query={"source": "contract-suite"}, pointer="/source", value="contract-suite"),
        ),
        create=Step(
            operation=CREATE,
            path_params=CHATBOT,
            body={"name": "Walk Check", "email": "{unique_email}", "source": "contract-suite", "status": "qualified"},
            expect_status=(201,),
            save={"created_id": "/data/id"},
        ),
        needs=WRITES,
        variables=NEEDS_CHATBOT,
        evidence=LIST_PAGES,
    ),
)
"""Every lead this run creates has an email holding the run id ({unique_email}), so searching for it lists this
run's leads only: the walk's own, and those the scenarios left for the clean-up (with them, several pages)."""


VENDOR = Vendor(
    name="pollybot",
    title="PollyBot",
    spec_file="pollybot.yaml",
    env_prefix="POLLYBOT",
    security_scheme="BearerAuth",
    read_operation=READ,
    id_parameter="leadId",
    unknown_id="lead_nonexistent123",
    invalid_key="sk-workspace_" + "0" * 51,
    fake=lazy_fake("contracts.fakes.pollybot", "PollyBotFake"),
    probes=(
        *map(
            _echoing,
            standard_probes(
                operation=READ,
                id_parameter="leadId",
                missing_key_schema="#/components/schemas/MissingAuthHeaderError",
                invalid_key_schema="#/components/schemas/InvalidApiKeyError",
                doc=f"{DOC}; authentication page",
            ),
        ),
        Probe(
            name="malformed id",
            operation=READ,
            path_params={"leadId": "invalid-id"},
            expect_status=400,
            expect_schema="#/components/schemas/InvalidIdFormatError",
            expect={"/details/leadId": "{leadId}"},
            doc=f"{DOC}: 400 Bad Request - Invalid ID Format",
            evidence=ECHOES_MALFORMED_ID,
        ),
        *WRITE_PROBES,
    ),
    scenarios=SCENARIOS,
    walks=WALKS,
    seed=Step(
        operation=CREATE,
        path_params=CHATBOT,
        body={"name": "Contract Suite", "email": "{unique_email}"},
        expect_status=(201,),
        save={"lead_id": "/data/id"},
    ),
    created_id_pointers={CREATE: "/data/id"},
    cleanup={CREATE: DELETE},
    marker_pointer={CREATE: "/metadata"},
    path_bindings={CREATE: {"chatbotId": "chatbot_id"}, UPDATE: {"leadId": OWNED}, DELETE: {"leadId": OWNED}},
    rate_limit=RateLimitPolicy(requests=1000, seconds=3600, source="https://pollybot.app/docs/rate-limiting"),
    # The docs publish no host: every workspace has its own (POLLYBOT_BASE_URL).
    requires_base_url=True,
    docs="https://pollybot.app/docs",
)
