"""Aura: what its docs promise, as data. The schemas themselves live in specs/aura.yaml."""

from __future__ import annotations

from contracts.values.model import RateLimitPolicy, Vendor, lazy_fake, standard_probes

READ = "GET /v1/leads/{id}"

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
    probes=standard_probes(operation=READ, id_parameter="id", doc="seeds/004 Get lead by ID; overview: errors"),
    rate_limit=RateLimitPolicy(requests=100, seconds=60, source="https://docs.api.aura-app.ai/ (rate limits)"),
    docs="https://docs.api.aura-app.ai/",
)
