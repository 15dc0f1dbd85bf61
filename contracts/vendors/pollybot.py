"""PollyBot: what its docs promise, as data. The schemas themselves live in specs/pollybot.yaml."""

from __future__ import annotations

from dataclasses import replace

from contracts.values.evidence import Evidence, Level
from contracts.values.model import Probe, RateLimitPolicy, Vendor, lazy_fake, standard_probes

READ = "GET /api/v1/leads/{leadId}"
DOC = "seeds/001 Get Lead"
PAGE = "seeds/001_cd12364042984b04.txt"

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
    ),
    rate_limit=RateLimitPolicy(requests=1000, seconds=3600, source="https://pollybot.app/docs/rate-limiting"),
    # The docs publish no host: every workspace has its own (POLLYBOT_BASE_URL).
    requires_base_url=True,
    docs="https://pollybot.app/docs",
)
