"""Aura: what its docs promise, as data. The schemas themselves live in specs/aura.yaml."""

from __future__ import annotations

from contracts.values.evidence import Evidence, Level
from contracts.values.model import Probe, RateLimitPolicy, Vendor, lazy_fake, standard_probes

READ = "GET /v1/leads/{id}"
PAGE = "seeds/004_1d5737af99dcfaff.txt"
DOC = "seeds/004 Get lead by ID"

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
            name="malformed id",
            operation=READ,
            path_params={"id": "not-a-uuid"},
            expect_status=400,
            doc=f"{DOC}: id is a Lead ID (UUID); overview: the error envelope (inferred 400)",
            evidence=MALFORMED_ID,
        ),
    ),
    rate_limit=RateLimitPolicy(requests=100, seconds=60, source="https://docs.api.aura-app.ai/ (rate limits)"),
    docs="https://docs.api.aura-app.ai/",
)
