"""Targets: where a vendor's requests go. The only thing that differs between a mock and a live run.

A ``Target`` is a base URL, an httpx transport and the credentials and limits
to use with it. A fake target routes the transport through a respx router into
the vendor's in-process fake; an HTTP target uses a real transport, towards the
live vendor or a fake served on loopback (``contracts serve``). Tests and
checks never ask which one they have.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Any

import httpx
import respx

from contracts.values.model import Capability, FakeService, RateLimitPolicy
from contracts.values.redaction import Secret


class TargetKind(StrEnum):
    FAKE = "fake"
    LIVE = "live"


PROPERTY_PHASES = ("examples", "coverage", "fuzzing")
"""The schemathesis phases a property unit can run, in order."""


@dataclass(frozen=True, kw_only=True)
class RunLimits:
    """How hard and how long a run may push a vendor."""

    max_examples: int = 25
    """Hypothesis examples per operation in the fuzzing phase."""
    phases: tuple[str, ...] = PROPERTY_PHASES
    """schemathesis phases of the property units (the stateful unit has its own budget below)."""
    connect_timeout: float = 5.0
    read_timeout: float = 15.0
    retries: int = 3
    """Attempts after the first for idempotent reads (and for writes refused before being processed)."""
    max_retry_wait: float = 60.0
    """Longest wait honoured from a Retry-After or rate-limit reset; longer means inconclusive."""
    request_budget: int | None = None
    """Most requests (attempts included) this run may send to the vendor."""
    time_budget: float | None = None
    """Seconds the whole run for this vendor may take."""
    max_body_bytes: int = 1024 * 1024
    rate_limit: RateLimitPolicy | None = None
    rate_limit_headroom: float = 0.9
    """Use at most this fraction of a documented rate limit."""
    stateful_examples: int = 5
    """Scenarios in the stateful phase (each a chain of linked calls). Five reach every documented link of every
    vendor on the fakes; the nightly deep run asks for more (``CONTRACTS_STATEFUL_EXAMPLES``)."""
    stateful_steps: int = 6
    """Most calls in one stateful scenario."""
    deterministic: bool = True


FAKE_LIMITS = RunLimits()
# Live, every request must earn its place (benchmarks/bench_live.py measures facts checked per request): the
# guard, probes and scenarios check the documented facts; the property units send the docs' own examples
# (plus the known and an unknown id) through every schemathesis check, and one linked create-then-read
# checks the links. The coverage phase's boundary and negative inputs and random fuzzing checked no further
# fact on any vendor, for about three requests in four; CONTRACTS_PHASES and CONTRACTS_MAX_EXAMPLES bring
# them back for a deep run.
LIVE_LIMITS = RunLimits(
    max_examples=5,
    phases=("examples",),
    stateful_examples=1,
    stateful_steps=2,
    request_budget=300,
    time_budget=900.0,
)


@dataclass(frozen=True, kw_only=True)
class Target:
    kind: TargetKind
    name: str
    """Human label: ``fake``, ``live`` or ``loopback``."""
    base_url: str
    transport: httpx.BaseTransport = field(repr=False)
    api_key: Secret
    restricted_key: Secret | None = None
    lead_id: str | None = None
    capabilities: frozenset[Capability] = frozenset()
    variables: Mapping[str, str] = field(default_factory=dict)
    limits: RunLimits = FAKE_LIMITS
    fake: FakeService | None = field(default=None, repr=False)
    """The in-process fake behind the transport, when there is one (lets tests reset its state)."""

    def allows(self, capability: Capability) -> bool:
        return capability in self.capabilities

    def with_limits(self, **changes: Any) -> Target:
        return replace(self, limits=replace(self.limits, **changes))

    def secrets(self) -> list[Secret]:
        return [secret for secret in (self.api_key, self.restricted_key) if secret]


ALL_CAPABILITIES = frozenset(Capability)


def fake_target(fake: FakeService, *, base_url: str, limits: RunLimits = FAKE_LIMITS) -> Target:
    """An in-process target: httpx -> respx router -> the fake. It allows writes and outreach."""
    router = respx.Router(base_url=base_url, assert_all_mocked=True, assert_all_called=False)
    router.route().mock(side_effect=fake.httpx_handler)
    return Target(
        kind=TargetKind.FAKE,
        name="fake",
        base_url=base_url,
        transport=httpx.MockTransport(router.handler),
        api_key=Secret(fake.api_key),
        restricted_key=Secret(fake.restricted_key) if fake.restricted_key else None,
        lead_id=fake.known_lead_id,
        capabilities=ALL_CAPABILITIES,
        variables=dict(fake.fixtures),
        limits=limits,
        fake=fake,
    )


def http_target(
    *,
    name: str,
    base_url: str,
    api_key: Secret,
    restricted_key: Secret | None = None,
    lead_id: str | None = None,
    capabilities: frozenset[Capability] = frozenset(),
    variables: Mapping[str, str] | None = None,
    limits: RunLimits = LIVE_LIMITS,
) -> Target:
    """A target over the network (a live vendor, or a fake served on loopback)."""
    caps = set(capabilities)
    if lead_id:
        caps.add(Capability.KNOWN_LEAD)
    if restricted_key:
        caps.add(Capability.RESTRICTED_KEY)
    return Target(
        kind=TargetKind.LIVE,
        name=name,
        base_url=base_url.rstrip("/"),
        transport=httpx.HTTPTransport(retries=0),
        api_key=api_key,
        restricted_key=restricted_key,
        lead_id=lead_id,
        capabilities=frozenset(caps),
        variables=dict(variables or {}),
        limits=limits,
    )
