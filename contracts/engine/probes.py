"""Explicit checks: the credentials guard, and probes of documented responses with known input."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import jsonpointer

from contracts.engine.context import RunContext
from contracts.engine.outcome import record_fault
from contracts.engine.scenarios import run_step, steps_missing
from contracts.spec.conformance import CheckContext, check_response
from contracts.transport.client import Exchange
from contracts.values.errors import ConfigError, CredentialsRejected, UnsafeRequest, VendorFault, VendorUnhealthy
from contracts.values.findings import Finding, Kind, Location, Severity, describe_value
from contracts.values.model import KIND_FOR_CREDENTIALS, Capability, Credentials, Probe
from contracts.values.results import Outcome


def path_for(ctx: RunContext, operation_label: str, params: dict[str, str]) -> str:
    """The concrete request path for an operation, with its path parameters filled in."""
    path = ctx.spec.operation(operation_label).path
    for name, value in params.items():
        path = path.replace("{" + name + "}", str(value))
    return path


def ensure_known_lead(ctx: RunContext) -> None:
    """Create a lead to read through the vendor's seed step when none is configured and writes are allowed."""
    seed = ctx.vendor.seed
    if ctx.known_lead_id is not None or seed is None or not ctx.allows(Capability.WRITES):
        return
    reason = steps_missing(ctx, [seed], frozenset(), ())
    if reason is not None:
        raise ConfigError(
            f"no lead to read: set {ctx.vendor.env('LEAD_ID')}, or let the run create one ({reason})",
            vendor=ctx.vendor.name,
        )
    saved: dict[str, Any] = {}
    exchange, findings = run_step(ctx, seed, source="seed", saved=saved)
    lead_id = saved.get("lead_id")
    if not isinstance(lead_id, str):
        problems = "; ".join(f.headline() for f in findings) or f"status {exchange.status_code}"
        raise ConfigError(f"could not create a lead to read ({seed.operation}): {problems}", vendor=ctx.vendor.name)
    ctx.known_lead_id = lead_id


def run_guard(ctx: RunContext) -> Exchange:
    """Prove the credentials work with a documented 2xx read, so no result can pass on a wall of 401s.

    Raises ``CredentialsRejected`` (our setup) when the key is refused, ``ConfigError`` when there is no
    lead to read, and a ``VendorFault`` when the vendor is unreachable or unhealthy (inconclusive).
    """
    vendor = ctx.vendor
    ensure_known_lead(ctx)
    if ctx.known_lead_id is None:
        raise ConfigError(ctx.missing(frozenset({Capability.KNOWN_LEAD})) or "no lead to read", vendor=vendor.name)
    operation = ctx.spec.operation(vendor.read_operation)
    path = path_for(ctx, vendor.read_operation, {vendor.id_parameter: ctx.known_lead_id})
    exchange = ctx.client.request(
        operation.method, path, headers=ctx.credential_headers(Credentials.VALID), source="guard"
    )
    status = exchange.status_code or 0
    if status in (401, 403):
        raise CredentialsRejected(
            f"the credentials guard {operation.label} was refused with {status}: the key in "
            f"{vendor.env('API_KEY')} is not accepted, so every other check would pass vacuously",
            vendor=vendor.name,
        )
    if status in (400, 404):
        # 400: a vendor that validates ids (a documented 400 for a malformed one) refused the configured id.
        refused = " (refused as malformed, 400)" if status == 400 else ""
        raise ConfigError(
            f"the credentials guard {operation.label} found no lead {ctx.known_lead_id!r}{refused}: "
            f"set {vendor.env('LEAD_ID')} to an existing lead",
            vendor=vendor.name,
        )
    if status >= 500:
        raise VendorUnhealthy(
            f"the credentials guard {operation.label} answered {status} after retries",
            vendor=vendor.name,
            status_code=status,
        )
    if not 200 <= status < 300:
        raise CredentialsRejected(
            f"the credentials guard {operation.label} answered {status}, not a documented 2xx", vendor=vendor.name
        )
    return exchange


def run_probe(ctx: RunContext, probe: Probe) -> Outcome:
    outcome = Outcome(name=f"probe:{probe.name}")
    operation = ctx.spec.operation(probe.operation)
    needs = probe.needs | ctx.vendor.needs_of(probe.operation, is_write=operation.is_write)
    variables = (*probe.variables, *ctx.vendor.variables_of(probe.operation))
    reason = ctx.missing(needs) or ctx.missing_variables(tuple(sorted(set(variables))))
    if reason is not None:
        outcome.skipped = reason
        return outcome
    params = {name: str(ctx.fill(value)) for name, value in probe.path_params.items()}
    try:
        exchange = ctx.client.request(
            operation.method,
            path_for(ctx, probe.operation, params),
            headers=ctx.credential_headers(probe.credentials),
            source=outcome.name,
        )
    except (VendorFault, UnsafeRequest) as fault:
        record_fault(outcome, fault, vendor=ctx.vendor.name, operation=operation.label)
        return outcome
    outcome.cases = 1
    check_ctx = CheckContext(
        vendor=ctx.vendor.name, spec=ctx.spec, operation=operation, source=outcome.name, example=exchange.example()
    )
    response = exchange.response
    if response.status_code == probe.expect_status:
        checked = check_response(check_ctx, response, expect_schema=probe.expect_schema)
        outcome.findings.extend(checked)
        outcome.findings.extend(_unmet_expectations(ctx, probe, operation.label, params, exchange, checked))
        return outcome
    if operation.response_for(response.status_code) is not None:
        accepted = 200 <= response.status_code < 300
        kind = (
            KIND_FOR_CREDENTIALS.get(probe.credentials, Kind.BEHAVIOR_MISMATCH) if accepted else Kind.BEHAVIOR_MISMATCH
        )
        outcome.findings.append(
            Finding(
                vendor=ctx.vendor.name,
                operation=operation.label,
                status_code=response.status_code,
                kind=kind,
                severity=Severity.ERROR,
                path="",
                location=Location.STATUS,
                expected=f"{probe.expect_status} for {probe.name}" + (f" ({probe.doc})" if probe.doc else ""),
                observed=str(response.status_code),
                check=f"probe:{probe.name}",
                source=outcome.name,
                example=exchange.example(),
            )
        )
    outcome.findings.extend(check_response(check_ctx, response))
    return outcome


_ABSENT = object()


def _unmet_expectations(
    ctx: RunContext,
    probe: Probe,
    operation: str,
    params: Mapping[str, str],
    exchange: Exchange,
    checked: Iterable[Finding],
) -> list[Finding]:
    """A ``behavior_mismatch`` for each ``Probe.expect`` value the body holds but not as expected.

    Expected values are filled like the path (the run's placeholders, and the probe's path parameters by
    name). Only values are compared: whether a member must be there is the schema's fact, so a pointer the
    body lacks, or that the schema check already faulted (it or a member above it), is left to the schema.
    """
    faulted = [finding.path for finding in checked if finding.location is Location.BODY]
    document = exchange.json()
    findings: list[Finding] = []
    for pointer, template in probe.expect.items():
        if any(pointer == path or pointer.startswith(f"{path}/") for path in faulted):
            continue
        observed = jsonpointer.resolve_pointer(document, pointer, _ABSENT)
        expected = ctx.fill(template, params)
        if observed is _ABSENT or observed == expected:
            continue
        findings.append(
            Finding(
                vendor=ctx.vendor.name,
                operation=operation,
                status_code=exchange.status_code,
                kind=Kind.BEHAVIOR_MISMATCH,
                severity=Severity.ERROR,
                path=pointer,
                location=Location.BODY,
                expected=f"{describe_value(expected)} for {probe.name}" + (f" ({probe.doc})" if probe.doc else ""),
                observed=describe_value(observed),
                check=f"probe:{probe.name}",
                source=f"probe:{probe.name}",
                example=exchange.example(),
            )
        )
    return findings
