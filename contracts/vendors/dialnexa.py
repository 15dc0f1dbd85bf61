"""DialNexa: what its docs promise, as data. The schemas themselves live in specs/dialnexa.yaml."""

from __future__ import annotations

from contracts.values.model import Credentials, Probe, Vendor, lazy_fake, standard_probes

READ = "GET /campaigns-leads/{id}"
DOC = "seeds/002 Get a campaign lead"

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
    ),
    docs="https://dialnexa.mintlify.app/api-reference",
)
