"""Live configuration from the environment (and an optional ``.env``), one prefix per vendor.

For each vendor ``V`` (``NEXOR``, ``POLLYBOT``, ``DIALNEXA``, ``AURA``):

==========================  =============================================================
``V_BASE_URL``              replaces the spec's server URL (required for PollyBot)
``V_API_KEY``               the sandbox key; without it the vendor is skipped
``V_LEAD_ID``               an existing lead to read
``V_RESTRICTED_API_KEY``    a key without permission, for documented 403s
``V_ALLOW_WRITES``          ``1`` to let write operations run (they create real records)
``V_ALLOW_OUTREACH``        ``1`` to let requests carry fields that contact real people
``V_REQUEST_BUDGET``        most requests this run may send to the vendor
``V_<NAME>``                values scenarios need (e.g. ``NEXOR_ASSIGNABLE_WORKFLOW_ID``)
==========================  =============================================================

Run-wide: ``CONTRACTS_MAX_EXAMPLES``, ``CONTRACTS_STATEFUL_EXAMPLES``, ``CONTRACTS_PHASES``,
``CONTRACTS_CONNECT_TIMEOUT``, ``CONTRACTS_READ_TIMEOUT``, ``CONTRACTS_RETRIES``, ``CONTRACTS_TIME_BUDGET`` (seconds
per vendor), ``CONTRACTS_MAX_BODY_BYTES``.

``CONTRACTS_MAX_EXAMPLES`` and ``CONTRACTS_PHASES`` (a comma-separated subset of
``examples,coverage,fuzzing``) set the property units' budget for the fakes as
well as for live runs: ``CONTRACTS_MAX_EXAMPLES=1000`` is the deep run of the
nightly CI; unset, fakes run all three phases with 25 examples per operation
and live runs only the docs' examples (see ``LIVE_LIMITS``). ``CONTRACTS_STATEFUL_EXAMPLES`` sets how many
linked scenarios the stateful unit draws (5 on the fakes, 1 live; the deep run uses 100).
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from dataclasses import replace
from pathlib import Path

from dotenv import dotenv_values
from pydantic import Field, SecretStr, ValidationError
from pydantic_settings import BaseSettings, SettingsConfigDict

from contracts.spec.document import Spec
from contracts.transport.targets import LIVE_LIMITS, PROPERTY_PHASES, RunLimits, Target, http_target
from contracts.values.errors import ConfigError, MissingCredentials
from contracts.values.model import Capability, Vendor
from contracts.values.redaction import Redactor, Secret


class _VendorEnv(BaseSettings):
    # CI systems pass an unset secret as an empty string: treat it as unset, not as an empty key.
    model_config = SettingsConfigDict(extra="ignore", env_file_encoding="utf-8", env_ignore_empty=True)

    base_url: str | None = None
    api_key: SecretStr | None = None
    lead_id: str | None = None
    restricted_api_key: SecretStr | None = None
    allow_writes: bool = False
    allow_outreach: bool = False
    request_budget: int | None = Field(default=None, ge=1)


class _RunEnv(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="CONTRACTS_", extra="ignore", env_file_encoding="utf-8", env_ignore_empty=True
    )

    max_examples: int | None = Field(default=None, ge=1)
    stateful_examples: int | None = Field(default=None, ge=1)
    phases: str | None = None
    connect_timeout: float = Field(default=LIVE_LIMITS.connect_timeout, gt=0)
    read_timeout: float = Field(default=LIVE_LIMITS.read_timeout, gt=0)
    retries: int = Field(default=LIVE_LIMITS.retries, ge=0)
    time_budget: float = Field(default=LIVE_LIMITS.time_budget or 900.0, gt=0)
    max_body_bytes: int = Field(default=LIVE_LIMITS.max_body_bytes, ge=1024)


def _one_line(error: ValidationError, prefix: str) -> str:
    first = error.errors()[0]
    name = f"{prefix}{str(first['loc'][0]).upper()}" if first["loc"] else prefix.rstrip("_")
    return f"{name}: {first['msg']} (got {first.get('input')!r})"


def _run_env(env_file: Path | None) -> _RunEnv:
    try:
        return _RunEnv(_env_file=env_file)  # type: ignore[call-arg]
    except ValidationError as exc:
        raise ConfigError(_one_line(exc, "CONTRACTS_")) from None


def _phases(value: str | None, default: tuple[str, ...]) -> tuple[str, ...]:
    if value is None:
        return default
    phases = tuple(dict.fromkeys(part.strip().lower() for part in value.split(",") if part.strip()))
    unknown = [phase for phase in phases if phase not in PROPERTY_PHASES]
    if unknown or not phases:
        raise ConfigError(
            f"CONTRACTS_PHASES: expected a comma-separated subset of {','.join(PROPERTY_PHASES)} (got {value!r})"
        )
    return phases


def budget(limits: RunLimits, env_file: Path | None = None) -> RunLimits:
    """``limits`` with the property budget from ``CONTRACTS_MAX_EXAMPLES``, ``CONTRACTS_STATEFUL_EXAMPLES`` and
    ``CONTRACTS_PHASES``, when set."""
    return _with_budget(limits, _run_env(env_file))


def _with_budget(limits: RunLimits, run: _RunEnv) -> RunLimits:
    return replace(
        limits,
        max_examples=run.max_examples or limits.max_examples,
        stateful_examples=run.stateful_examples or limits.stateful_examples,
        phases=_phases(run.phases, limits.phases),
    )


def run_limits(env_file: Path | None = None) -> RunLimits:
    run = _run_env(env_file)
    return replace(
        _with_budget(LIVE_LIMITS, run),
        connect_timeout=run.connect_timeout,
        read_timeout=run.read_timeout,
        retries=run.retries,
        time_budget=run.time_budget,
        max_body_bytes=run.max_body_bytes,
    )


def live_target(vendor: Vendor, spec: Spec, *, env_file: Path | None = None, name: str = "live") -> Target:
    """The live target for ``vendor`` from the environment.

    Raises ``MissingCredentials`` (the vendor is skipped, naming the variables) when no key is set, and
    ``ConfigError`` for values that do not parse.
    """
    prefix = f"{vendor.env_prefix}_"
    try:
        env = _VendorEnv(_env_prefix=prefix, _env_file=env_file)  # type: ignore[call-arg]
    except ValidationError as exc:
        raise ConfigError(_one_line(exc, prefix), vendor=vendor.name) from None
    needed = [vendor.env("API_KEY")] + ([vendor.env("BASE_URL")] if vendor.requires_base_url else [])
    if env.api_key is None or (vendor.requires_base_url and not env.base_url):
        raise MissingCredentials(vendor.name, tuple(needed))
    base_url = env.base_url or spec.server_url
    if not base_url.startswith(("http://", "https://")):
        raise ConfigError(f"{vendor.env('BASE_URL')} must be an http(s) URL (got {base_url!r})", vendor=vendor.name)
    capabilities = set()
    if env.allow_writes:
        capabilities.add(Capability.WRITES)
    if env.allow_outreach:
        capabilities.add(Capability.OUTREACH)
    limits = replace(
        run_limits(env_file),
        rate_limit=vendor.rate_limit,
        request_budget=env.request_budget or LIVE_LIMITS.request_budget,
    )
    restricted = env.restricted_api_key.get_secret_value() if env.restricted_api_key else None
    return http_target(
        name=name,
        base_url=base_url,
        api_key=Secret(env.api_key.get_secret_value()),
        restricted_key=Secret(restricted) if restricted else None,
        lead_id=env.lead_id,
        capabilities=frozenset(capabilities),
        variables=_scenario_variables(vendor, env_file),
        limits=limits,
    )


def _scenario_variables(vendor: Vendor, env_file: Path | None) -> Mapping[str, str]:
    names = set(vendor.variable_names)
    file_values = _read_env_file(env_file)
    values = {}
    for name in sorted(names):
        variable = vendor.env(name.upper())
        value = os.environ.get(variable) or file_values.get(variable)
        if value:
            values[name] = value
    return values


def _read_env_file(env_file: Path | None) -> dict[str, str]:
    if env_file is None or not env_file.is_file():
        return {}
    return {key: value for key, value in dotenv_values(env_file).items() if value is not None}


SECRET_SUFFIXES = ("API_KEY", "RESTRICTED_API_KEY")


def configured_redactor(vendors: Iterable[Vendor], env_file: Path | None = None) -> Redactor:
    """A redactor that knows every key configured for any vendor, before anything is printed or written."""
    file_values = _read_env_file(env_file)
    redactor = Redactor()
    for vendor in vendors:
        for suffix in SECRET_SUFFIXES:
            name = vendor.env(suffix)
            value = os.environ.get(name) or file_values.get(name)
            if value:
                redactor.add(value, name=name)
    return redactor
