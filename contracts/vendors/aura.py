"""Aura: what its docs promise, as data. The schemas themselves live in specs/aura.yaml.

Every scenario and walk says how the docs back it (``evidence``): a deviation from a stated or shown behaviour is
a contract failure, from a contested or inferred one a warning that quotes the doc line. Aura documents no delete
for leads (not on any page, not in the overview's list of endpoints): the leads a run creates cannot be cleaned up,
and the clean-up ledger reports them as not cleaned up. Creating a lead is not documented to contact anyone (no
page says a lead is called or messaged on creation), so no operation needs ``OUTREACH``.
"""

from __future__ import annotations

from contracts.values.evidence import Evidence, Level
from contracts.values.model import (
    ABSENT,
    OWNED,
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

READ = "GET /v1/leads/{id}"
LIST = "GET /v1/leads"
CREATE = "POST /v1/leads"
UPDATE = "PATCH /v1/leads/{id}"
PAGE = "seeds/004_1d5737af99dcfaff.txt"
DOC = "seeds/004 Get lead by ID"
LIST_PAGE = "https://docs.api.aura-app.ai/openapi/v1/leads/get (research-notes §4)"
CREATE_PAGE = "https://docs.api.aura-app.ai/openapi/v1/leads/post (research-notes §4)"
PATCH_PAGE = "https://docs.api.aura-app.ai/openapi/v1/leads/id/patch (research-notes §4)"
LIST_DOC = "Aura List leads (research-notes §4)"
CREATE_DOC = "Aura Create lead (research-notes §4)"
PATCH_DOC = "Aura Update lead (research-notes §4)"
WRITES = frozenset({Capability.WRITES})

CREATED_NEW = 'New leads get status "new".'
UPDATABLE = "updatable fields full_name, email, phone, company, status, timezone, notes"
NOTES_REPLACE = "notes replaces the whole array"
LIST_QUERY = 'Query: limit (typed as string, default "50", max 100), cursor (opaque), status, source, assigned_to_id'
LIST_RESPONSE = "Response: {data[...], pagination{next_cursor, has_more}}"

LEAD = {
    "full_name": "Ada Lovelace",
    "phone": "+14155550100",
    "company": "Analytical Engines",
    "timezone": "Europe/London",
}
"""What the lifecycle sends beside a fresh email (no real person: a 555-01xx number, an example.com address)."""

ATTRIBUTION = {
    "city": "Springfield",
    "country": "United States",
    "countryCode": "US",
    "dataConsentAcceptedAt": "2026-05-08T14:23:11.000Z",
    "dclid": "dclid-contract-suite",
    "epik": "epik-contract-suite",
    "fbclid": "fbclid-contract-suite",
    "gadSource": "1",
    "gbraid": "gbraid-contract-suite",
    "gclid": "gclid-contract-suite",
    "gclsrc": "aw.ds",
    "hyclid": "hyclid-contract-suite",
    "ipAddress": "192.0.2.10",
    "language": "en-US",
    "latitude": 0,
    "liFatId": "lifatid-contract-suite",
    "longitude": 0,
    "msclkid": "msclkid-contract-suite",
    "partner": "contract-suite",
    "rdtCid": "rdtcid-contract-suite",
    "ref": "contract-suite",
    "referrer": "https://example.com/contract-suite",
    "region": "IL",
    "scCid": "sccid-contract-suite",
    "screenHeight": 1080,
    "screenWidth": 1920,
    "setterCode": "contract-suite",
    "ttclid": "ttclid-contract-suite",
    "twclid": "twclid-contract-suite",
    "userAgent": "contracts-suite",
    "utmCampaign": "contract-suite",
    "utmContent": "contract-suite",
    "utmId": "contract-suite",
    "utmMedium": "contract-suite",
    "utmSource": "contract-suite",
    "utmTerm": "contract-suite",
    "wbraid": "wbraid-contract-suite",
    "yclid": "yclid-contract-suite",
}
"""Every LeadMetadata key Get Lead's example shows, typed as it shows it (TEST-NET address, example.com referrer):
the seed sends them all, so the answers about the records the suite writes to show every metadata member."""

MALFORMED_ID = Evidence(
    Level.INFERRED,
    source=f"{PAGE} (path parameter) and https://docs.api.aura-app.ai/ (Error Handling, research-notes §4)",
    quote=(
        "idstring - Lead ID (UUID) - Formatuuid; Error Handling: all errors are "
        '{"success":false,"error":"Error message","code":...}'
    ),
)
"""The page types the id as a UUID and labels no error status; the 400 for a malformed one is Aura's convention."""

VENDOR = Vendor(
    name="aura",
    title="Aura",
    spec_file="aura.yaml",
    env_prefix="AURA",
    security_scheme="BearerAuth",
    read_operation=READ,
    id_parameter="id",
    unknown_id="00000000-0000-4000-8000-000000000000",
    invalid_key="aura_pk_live_00000000000000000000000000",
    fake=lazy_fake("contracts.fakes.aura", "AuraFake"),
    probes=(
        *standard_probes(operation=READ, id_parameter="id", doc=f"{DOC}; overview: errors"),
        Probe(
            name="list: missing key",
            operation=LIST,
            credentials=Credentials.NONE,
            expect_status=401,
            doc=f"{LIST_DOC}; overview: Authorization: Bearer, the error envelope",
        ),
        Probe(
            name="list: invalid key",
            operation=LIST,
            credentials=Credentials.INVALID,
            expect_status=401,
            doc=f"{LIST_DOC}; overview: Authorization: Bearer, the error envelope",
        ),
        Probe(
            name="create: missing key",
            operation=CREATE,
            credentials=Credentials.NONE,
            expect_status=401,
            doc=f"{CREATE_DOC}; overview: Authorization: Bearer, the error envelope",
        ),
        Probe(
            name="update: missing key",
            operation=UPDATE,
            path_params={"id": "{unknown_id}"},
            credentials=Credentials.NONE,
            expect_status=401,
            doc=f"{PATCH_DOC}; overview: Authorization: Bearer, the error envelope",
        ),
        Probe(
            name="update: invalid key",
            operation=UPDATE,
            path_params={"id": "{unknown_id}"},
            credentials=Credentials.INVALID,
            expect_status=401,
            doc=f"{PATCH_DOC}; overview: Authorization: Bearer, the error envelope",
        ),
        Probe(
            name="malformed id",
            operation=READ,
            path_params={"id": "not-a-uuid"},
            expect_status=400,
            doc=f"{DOC}: id is a Lead ID (UUID); overview: the error envelope (inferred 400)",
            evidence=MALFORMED_ID,
        ),
    ),
    seed=Step(
        operation=CREATE,
        body={"email": "{unique_email}", "full_name": "Contract Suite", "metadata": ATTRIBUTION},
        expect_status=(200, 201),
        save={"lead_id": "/data/id"},
    ),
    scenarios=(
        Scenario(
            name="create, read back, update one field, read shows only that change",
            doc=(
                f"{CREATE_DOC}: email required, the optional fields, new leads get status new; {PATCH_DOC}: "
                f"{UPDATABLE}; {DOC}. Aura documents no delete, so the lifecycle ends with the read."
            ),
            needs=WRITES,
            evidence=Evidence(
                Level.STATED,
                source=f"{CREATE_PAGE} and {PATCH_PAGE}",
                quote=f"Required: email; Optional: full_name, phone, company, timezone, metadata; {CREATED_NEW} "
                f"PATCH: {UPDATABLE}",
            ),
            steps=(
                Step(
                    operation=CREATE,
                    body={"email": "{unique_email}", **LEAD, "metadata": ATTRIBUTION},
                    expect_status=(200, 201),
                    expect={"/success": True, "/data/status": "new", **{f"/data/{k}": v for k, v in LEAD.items()}},
                    save={"lead_id": "/data/id", "sent_email": "/data/email", "created_at": "/data/created_at"},
                ),
                Step(
                    operation=READ,
                    path_params={"id": "{lead_id}"},
                    expect_status=(200,),
                    expect={
                        "/data/id": "{lead_id}",
                        "/data/email": "{sent_email}",
                        "/data/status": "new",
                        "/data/metadata": ATTRIBUTION,
                        **{f"/data/{k}": v for k, v in LEAD.items()},
                    },
                ),
                Step(
                    operation=UPDATE,
                    path_params={"id": "{lead_id}"},
                    body={"company": "Difference Engines Ltd"},
                    expect_status=(200,),
                    expect={"/data/id": "{lead_id}", "/data/company": "Difference Engines Ltd"},
                ),
                Step(
                    operation=READ,
                    path_params={"id": "{lead_id}"},
                    expect_status=(200,),
                    expect={
                        "/data/company": "Difference Engines Ltd",
                        "/data/email": "{sent_email}",
                        "/data/full_name": LEAD["full_name"],
                        "/data/phone": LEAD["phone"],
                        "/data/timezone": LEAD["timezone"],
                        "/data/status": "new",
                        "/data/created_at": "{created_at}",
                        "/data/metadata": ATTRIBUTION,
                    },
                ),
            ),
        ),
        Scenario(
            name="notes replaces the whole array",
            doc=f"{PATCH_DOC}: {NOTES_REPLACE}; a note is {{content, created_at, user_id}} ({DOC})",
            needs=WRITES,
            evidence=Evidence(Level.STATED, source=PATCH_PAGE, quote=f"{UPDATABLE}. {NOTES_REPLACE}"),
            steps=(
                Step(
                    operation=CREATE,
                    body={"email": "{unique_email}", "full_name": "Notes Lead"},
                    expect_status=(200, 201),
                    save={"lead_id": "/data/id"},
                ),
                Step(
                    operation=UPDATE,
                    path_params={"id": "{lead_id}"},
                    body={"notes": [{"content": "first note"}, {"content": "second note"}]},
                    expect_status=(200,),
                    expect={
                        "/data/notes/0/content": "first note",
                        "/data/notes/1/content": "second note",
                        "/data/notes/2": ABSENT,
                    },
                ),
                Step(
                    operation=UPDATE,
                    path_params={"id": "{lead_id}"},
                    body={"notes": [{"content": "third note"}]},
                    expect_status=(200,),
                    expect={"/data/notes/0/content": "third note", "/data/notes/1": ABSENT},
                ),
                Step(
                    operation=READ,
                    path_params={"id": "{lead_id}"},
                    expect_status=(200,),
                    expect={"/data/notes/0/content": "third note", "/data/notes/1": ABSENT},
                ),
            ),
        ),
        Scenario(
            name="a create without email is refused",
            doc=f"{CREATE_DOC}: email is required; the error envelope (400 inferred)",
            needs=WRITES,
            evidence=Evidence(Level.STATED, source=CREATE_PAGE, quote="Required: email (string, email)"),
            steps=(Step(operation=CREATE, body={"full_name": "No Email"}, expect_status=(400,)),),
        ),
        Scenario(
            name="a phone not in E.164 is refused",
            doc=f"{CREATE_DOC}: phone (E.164, pattern ^\\+[1-9]\\d{{1,14}}$); the error envelope (400 inferred)",
            needs=WRITES,
            evidence=Evidence(Level.STATED, source=CREATE_PAGE, quote="phone (E.164, pattern ^\\+[1-9]\\d{1,14}$)"),
            steps=(
                Step(
                    operation=CREATE,
                    body={"email": "{unique_email}", "phone": "555-0100"},
                    expect_status=(400,),
                ),
            ),
        ),
        Scenario(
            name="an update with a phone not in E.164 is refused",
            doc=f"{PATCH_DOC}: phone is updatable; {CREATE_DOC}: phone (E.164); the error envelope (400 inferred)",
            needs=WRITES,
            # The update page lists phone among the updatable fields; the E.164 rule is the create page's.
            evidence=Evidence(
                Level.INFERRED,
                source=f"{PATCH_PAGE} and {CREATE_PAGE}",
                quote=f"{UPDATABLE}; phone (E.164, pattern ^\\+[1-9]\\d{{1,14}}$)",
            ),
            steps=(
                Step(
                    operation=CREATE,
                    body={"email": "{unique_email}", "phone": "+14155550101"},
                    expect_status=(200, 201),
                    save={"lead_id": "/data/id"},
                ),
                Step(
                    operation=UPDATE,
                    path_params={"id": "{lead_id}"},
                    body={"phone": "555-0101"},
                    expect_status=(400,),
                ),
                Step(
                    operation=READ,
                    path_params={"id": "{lead_id}"},
                    expect_status=(200,),
                    expect={"/data/phone": "+14155550101"},
                ),
            ),
        ),
        Scenario(
            name="an update of an unknown lead is 404",
            doc=f"{PATCH_DOC}: the NOT_FOUND body every Aura endpoint page shows",
            needs=WRITES,
            evidence=Evidence(
                Level.SHOWN,
                source=PATCH_PAGE,
                quote='{"success":false,"error":"Lead not found","code":"NOT_FOUND","requestId":"req_abc123"}',
            ),
            steps=(
                Step(
                    operation=UPDATE,
                    path_params={"id": "{unknown_id}"},
                    body={"company": "Nobody Ltd"},
                    expect_status=(404,),
                ),
            ),
        ),
        Scenario(
            name="a limit above 100 is refused or capped",
            doc=(
                f"{LIST_DOC}: limit max 100. The page does not say whether a larger limit is refused (400) or "
                "capped; either is accepted, and the answer must conform to the spec (a page holds at most 100 leads)."
            ),
            evidence=Evidence(Level.INFERRED, source=LIST_PAGE, quote='limit (typed as string, default "50", max 100)'),
            steps=(Step(operation=LIST, query={"limit": "101", "status": "new"}, expect_status=(200, 400)),),
        ),
    ),
    walks=(
        Walk(
            name="new leads two a page, the created one among them",
            doc=(
                f"{LIST_DOC}: limit a string, an opaque cursor, the status filter; {CREATE_DOC}: {CREATED_NEW} "
                "Filtered on status new so that a live account's walk stays short."
            ),
            operation=LIST,
            paging=Paging.CURSOR,
            limit=2,
            items="/data",
            query={"status": "new"},
            next_cursor="/pagination/next_cursor",
            has_more="/pagination/has_more",
            filters=(ItemFilter(query={"status": "new"}, pointer="/status", value="new"),),
            create=Step(
                operation=CREATE,
                body={"email": "{unique_email}", "full_name": "Walk Lead"},
                expect_status=(200, 201),
                save={"created_id": "/data/id"},
            ),
            needs=WRITES,
            evidence=Evidence(
                Level.STATED, source=f"{LIST_PAGE} and {CREATE_PAGE}", quote=f"{LIST_QUERY}. {LIST_RESPONSE}"
            ),
        ),
        Walk(
            name="the source filter",
            doc=(
                f"{LIST_DOC}: the source filter. The page does not say which field of the lead it matches: "
                "source.utm_source is our reading (inferred), so an item that does not match is a warning."
            ),
            operation=LIST,
            paging=Paging.CURSOR,
            limit=2,
            items="/data",
            query={"source": "google"},
            next_cursor="/pagination/next_cursor",
            has_more="/pagination/has_more",
            filters=(ItemFilter(query={"source": "google"}, pointer="/source/utm_source", value="google"),),
            evidence=Evidence(Level.INFERRED, source=LIST_PAGE, quote=LIST_QUERY),
        ),
    ),
    created_id_pointers={CREATE: "/data/id"},
    marker_pointer={CREATE: "/metadata"},
    path_bindings={UPDATE: {"id": OWNED}},
    rate_limit=RateLimitPolicy(requests=100, seconds=60, source="https://docs.api.aura-app.ai/ (rate limits)"),
    docs="https://docs.api.aura-app.ai/",
)
