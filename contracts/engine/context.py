"""The state of one vendor's run against one target, shared by every check in it."""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache, partial
from pathlib import Path
from typing import Any

from contracts.engine.cleanup import CleanupLedger
from contracts.spec.document import Spec
from contracts.transport.client import Exchange, RequestPolicy, VendorClient
from contracts.transport.targets import Target
from contracts.values.model import Capability, Credentials, Vendor
from contracts.values.redaction import Redactor

_PLACEHOLDER = re.compile(r"\{(\w+)(?:\|(upper|lower))?\}")
"""``{name}``, or ``{name|upper}`` / ``{name|lower}`` for the value in another case (an address sent
upper-cased to a vendor that matches addresses case-insensitively)."""

RUN_VALUES = frozenset({"unique_email", "run_marker", "run_id", "known_lead_id", "unknown_id"})
"""Placeholders every run fills itself (``RunContext.fill``); any other name is saved by a step or configured."""


def placeholders(template: Any) -> set[str]:
    """The names of the ``{placeholders}`` in ``template`` (strings, recursively) that a run does not fill itself:
    values an earlier step saves, or variables the user configures."""
    return {name for name, _case in _PLACEHOLDER.findall(json.dumps(template))} - RUN_VALUES


RUN_MARKER_KEY = "contract_suite_run"
"""The metadata key that marks a record as created by this suite (so it can be found and cleaned up)."""


def load_spec(vendor: Vendor) -> Spec:
    """The vendor's spec, loaded and validated once per process while its file is unchanged.

    Loading (YAML, $refs, the OpenAPI 3.1 meta-schema) takes 50-200 ms, and a run, the pytest plugin and
    the CLI each ask for it several times. A ``Spec`` is never changed after loading (only its compiled
    validators are cached on it), so one instance is safe to share.
    """
    path = vendor.spec_path
    try:
        stat = path.stat()
    except OSError:
        return Spec.load(path)  # raises the SpecError that names the file
    return _load_spec(path, stat.st_mtime_ns, stat.st_size)


@lru_cache(maxsize=16)
def _load_spec(path: Path, mtime_ns: int, size: int) -> Spec:
    return Spec.load(path)


@dataclass(kw_only=True)
class RunContext:
    vendor: Vendor
    spec: Spec
    target: Target
    client: VendorClient
    redactor: Redactor
    run_id: str
    known_lead_id: str | None = None
    ledger: CleanupLedger = field(default_factory=CleanupLedger)
    """The records this run (and earlier, killed ones) created and has not deleted yet (``engine/cleanup.py``)."""
    created: set[str] = field(default_factory=set)
    """Ids of the records this run created (every one the ledger was given, deleted since or not)."""
    made_up_emails: set[str] = field(default_factory=set)
    """The addresses ``unique_email`` handed out: a lead found by one of them is this run's."""

    @property
    def run_marker(self) -> str:
        return f"contracts-{self.run_id}"

    def unique_email(self) -> str:
        """An address at example.com (reserved, never delivered) that no earlier run used."""
        email = f"contracts+{self.run_id}-{uuid.uuid4().hex[:10]}@example.com"
        self.made_up_emails.add(email)
        return email

    def owns(self, value: str) -> bool:
        """Whether a write may name ``value`` (``OWNED`` bindings): a record this run created, one in the clean-up
        ledger (an earlier run made it and the clean-up deletes it), an address this run made up, the vendor's
        ``unknown_id`` (names nothing), or a record the user named in ``Vendor.user_records``; never the
        configured known lead."""
        if value == self.target.lead_id:
            return False
        user_named = {self.target.variables.get(name) for name in self.vendor.user_records}
        return (
            value in self.created
            or value.lower() in self.made_up_emails
            or value == self.vendor.unknown_id
            or value in user_named
            or any(record.id == value for record in self.ledger.records(self.vendor.name))
        )

    def remember_created(self, record_id: str) -> None:
        self.created.add(record_id)

    def allows(self, capability: Capability) -> bool:
        if capability is Capability.KNOWN_LEAD:
            return self.known_lead_id is not None
        return self.target.allows(capability)

    def missing(self, needs: frozenset[Capability]) -> str | None:
        """Why a check needing ``needs`` cannot run here, naming what to set; None if it can."""
        reasons = {
            Capability.WRITES: f"writes are not allowed (set {self.vendor.env('ALLOW_WRITES')}=1)",
            Capability.OUTREACH: f"outreach is not allowed (set {self.vendor.env('ALLOW_OUTREACH')}=1)",
            Capability.RESTRICTED_KEY: f"no restricted key (set {self.vendor.env('RESTRICTED_API_KEY')})",
            Capability.KNOWN_LEAD: (
                f"no lead to read (set {self.vendor.env('LEAD_ID')}"
                + (f" or {self.vendor.env('ALLOW_WRITES')}=1" if self.vendor.seed else "")
                + ")"
            ),
        }
        missing = [reasons[need] for need in sorted(needs) if not self.allows(need)]
        return "; ".join(missing) if missing else None

    def credential_headers(self, credentials: Credentials) -> dict[str, str]:
        scheme = self.vendor.security_scheme
        if credentials is Credentials.NONE:
            return {}
        if credentials is Credentials.INVALID:
            return self.spec.credential_headers(scheme, self.vendor.invalid_key)
        if credentials is Credentials.RESTRICTED:
            if self.target.restricted_key is None:
                raise LookupError(self.missing(frozenset({Capability.RESTRICTED_KEY})))
            return self.spec.credential_headers(scheme, self.target.restricted_key.reveal())
        return self.spec.credential_headers(scheme, self.target.api_key.reveal())

    def fill(self, template: Any, saved: Mapping[str, Any] | None = None) -> Any:
        """Replace ``{placeholders}`` in strings (recursively); a string that is only a placeholder takes its value.

        ``saved`` holds what earlier steps of the same scenario saved; it never outlives the scenario.
        """
        saved = saved or {}
        if isinstance(template, str):
            whole = _PLACEHOLDER.fullmatch(template)
            if whole:
                return self._cased(self._value(whole.group(1), saved), whole.group(2))
            return _PLACEHOLDER.sub(lambda m: str(self._cased(self._value(m.group(1), saved), m.group(2))), template)
        if isinstance(template, dict):
            return {key: self.fill(value, saved) for key, value in template.items()}
        if isinstance(template, list | tuple):
            return [self.fill(value, saved) for value in template]
        return template

    @staticmethod
    def _cased(value: Any, case: str | None) -> Any:
        if case is None or not isinstance(value, str):
            return value
        return value.upper() if case == "upper" else value.lower()

    def missing_variables(self, names: tuple[str, ...]) -> str | None:
        absent = [name for name in names if name not in self.target.variables]
        if not absent:
            return None
        return "not configured: set " + ", ".join(self.vendor.env(name.upper()) for name in absent)

    def _value(self, name: str, saved: Mapping[str, Any]) -> Any:
        if name == "unique_email":
            return self.unique_email()
        if name == "run_marker":
            return self.run_marker
        if name == "run_id":
            return self.run_id
        if name == "known_lead_id":
            return self.known_lead_id
        if name == "unknown_id":
            return self.vendor.unknown_id
        if name in saved:
            return saved[name]
        if name in self.target.variables:
            return self.target.variables[name]
        raise KeyError(f"{self.vendor.name}: no value for placeholder {{{name}}}")

    def close(self) -> None:
        self.client.close()


def open_run(
    vendor: Vendor,
    target: Target,
    *,
    redactor: Redactor | None = None,
    run_id: str | None = None,
    spec: Spec | None = None,
    sleep: Callable[[float], None] | None = None,
    cleanup_file: Path | None = None,
) -> RunContext:
    """Load the spec, register the target's keys for redaction and build the client for one vendor.

    ``cleanup_file`` is the clean-up ledger the run writes every record it creates to (in memory when None)."""
    redactor = redactor if redactor is not None else Redactor()
    for secret in target.secrets():
        redactor.add(secret, name=vendor.env("API_KEY"))
    spec = spec if spec is not None else load_spec(vendor)
    forbidden = {} if target.allows(Capability.OUTREACH) else dict(vendor.outreach_fields)
    refused = {
        label: f"it needs {', '.join(sorted(needs - target.capabilities))} "
        f"(set {', '.join(vendor.env('ALLOW_' + need.upper()) for need in sorted(needs - target.capabilities))}=1)"
        for label, needs in vendor.operation_needs.items()
        if not needs <= target.capabilities
    }
    owner: list[RunContext] = []
    policy = RequestPolicy(
        allow_writes=target.allows(Capability.WRITES),
        allow_undocumented_methods=target.allows(Capability.UNDOCUMENTED_METHODS),
        forbidden_fields=forbidden,
        forbidden_operations=refused,
        path_bindings=vendor.path_bindings,
        body_bindings=vendor.body_bindings,
        variables=target.variables,
        owns=lambda value: owner[0].owns(value),
        vendor_env_prefix=vendor.env_prefix,
    )
    waits = {"sleep": sleep} if sleep is not None else {}
    client = VendorClient(vendor=vendor.name, spec=spec, target=target, redactor=redactor, policy=policy, **waits)
    ctx = RunContext(
        vendor=vendor,
        spec=spec,
        target=target,
        client=client,
        redactor=redactor,
        run_id=run_id or uuid.uuid4().hex[:12],
        known_lead_id=target.lead_id,
        ledger=CleanupLedger(cleanup_file),
    )
    owner.append(ctx)
    record = partial(ctx.ledger.record_created, vendor, ctx.run_id, ctx.run_marker)

    def on_response(exchange: Exchange) -> None:
        for created in record(exchange):
            ctx.remember_created(created.id)

    client.on_response = on_response
    return ctx
