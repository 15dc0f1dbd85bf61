"""PollyBot: what its docs promise, as data. The schemas themselves live in specs/pollybot.yaml."""

from __future__ import annotations

from contracts.values.model import Probe, RateLimitPolicy, Vendor, lazy_fake, standard_probes

READ = "GET /api/v1/leads/{leadId}"
DOC = "seeds/001 Get Lead"

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
        *standard_probes(
            operation=READ,
            id_parameter="leadId",
            missing_key_schema="#/components/schemas/MissingAuthHeaderError",
            invalid_key_schema="#/components/schemas/InvalidApiKeyError",
            doc=f"{DOC}; authentication page",
        ),
        Probe(
            name="malformed id",
            operation=READ,
            path_params={"leadId": "invalid-id"},
            expect_status=400,
            expect_schema="#/components/schemas/InvalidIdFormatError",
            doc=f"{DOC}: 400 Bad Request - Invalid ID Format",
        ),
    ),
    rate_limit=RateLimitPolicy(requests=1000, seconds=3600, source="https://pollybot.app/docs/rate-limiting"),
    # The docs publish no host: every workspace has its own (POLLYBOT_BASE_URL).
    requires_base_url=True,
    docs="https://pollybot.app/docs",
)
