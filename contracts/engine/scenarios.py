"""Documented behaviour, checked by short sequences of requests (``Scenario``s written as data)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping
from typing import Any

import jsonpointer

from contracts.engine.context import RUN_MARKER_KEY, RunContext
from contracts.engine.outcome import record_fault
from contracts.spec.conformance import CheckContext, check_response
from contracts.transport.client import Exchange
from contracts.values.errors import UnsafeRequest, VendorFault
from contracts.values.findings import Finding, Kind, Location, Severity, describe_value
from contracts.values.model import ABSENT, PRESENT, Capability, Credentials, Scenario, Step, Upload
from contracts.values.results import Outcome

_MISSING = object()


def _render_path(ctx: RunContext, step: Step, saved: dict[str, Any]) -> str:
    path = ctx.spec.operation(step.operation).path
    for name, value in step.path_params.items():
        path = path.replace("{" + name + "}", str(ctx.fill(value, saved)))
    return path


def _with_marker(ctx: RunContext, operation: str, body: Any) -> Any:
    """Mark records this suite creates, in the free-form map the vendor documents for it."""
    pointer = ctx.vendor.marker_pointer.get(operation)
    if pointer is None or not isinstance(body, dict):
        return body
    key = pointer.lstrip("/")
    existing = body.get(key, {})
    if not isinstance(existing, dict):
        return body
    return {**body, key: {**existing, RUN_MARKER_KEY: ctx.run_marker}}


def behaviour_finding(
    ctx: RunContext,
    exchange: Exchange,
    path: str,
    expected: str,
    observed: str,
    *,
    source: str,
    location: Location = Location.BODY,
) -> Finding:
    """A documented behaviour the response to ``exchange`` breaks (graded later by the behaviour's evidence)."""
    return Finding(
        vendor=ctx.vendor.name,
        operation=exchange.operation or "",
        status_code=exchange.status_code,
        kind=Kind.BEHAVIOR_MISMATCH,
        severity=Severity.ERROR,
        path=path,
        location=location,
        expected=expected,
        observed=observed,
        check=source,
        source=source,
        example=exchange.example(),
    )


def render_upload(ctx: RunContext, upload: Upload, saved: Mapping[str, Any] | None = None) -> bytes:
    """The file an ``Upload`` sends: its ``content``, or its rows as CSV (placeholders filled)."""
    if upload.content is not None:
        return str(ctx.fill(upload.content, saved)).encode()
    columns = list(dict.fromkeys(column for row in upload.rows for column in row))
    text = io.StringIO()
    writer = csv.DictWriter(text, fieldnames=columns, lineterminator="\r\n")
    writer.writeheader()
    for row in upload.rows:
        writer.writerow({column: ctx.fill(value, saved) for column, value in row.items()})
    return text.getvalue().encode()


def _files(ctx: RunContext, upload: Upload, saved: Mapping[str, Any]) -> dict[str, tuple[str, bytes, str]]:
    return {upload.field: (upload.filename, render_upload(ctx, upload, saved), upload.media_type)}


def run_step(ctx: RunContext, step: Step, *, source: str, saved: dict[str, Any]) -> tuple[Exchange, list[Finding]]:
    """Send one step, check the response against the spec and the step's expectations, and add what the
    step saves to ``saved``; a value to save that the response lacks is a finding."""
    operation = ctx.spec.operation(step.operation)
    body = _with_marker(ctx, step.operation, ctx.fill(step.body, saved)) if step.body is not None else None
    query = {name: str(ctx.fill(value, saved)) for name, value in step.query.items()}
    exchange = ctx.client.request(
        operation.method,
        _render_path(ctx, step, saved),
        headers=ctx.credential_headers(Credentials.VALID),
        params=query or None,
        json_body=body,
        files=_files(ctx, step.upload, saved) if step.upload is not None else None,
        source=source,
    )
    check_ctx = CheckContext(
        vendor=ctx.vendor.name, spec=ctx.spec, operation=operation, source=source, example=exchange.example()
    )
    response = exchange.response
    findings = check_response(check_ctx, response)

    def mismatch(path: str, expected: str, observed: str, location: Location = Location.BODY) -> Finding:
        return behaviour_finding(ctx, exchange, path, expected, observed, source=source, location=location)

    if response.status_code not in step.expect_status:
        expected = " or ".join(str(code) for code in step.expect_status)
        findings.append(mismatch("", expected, str(response.status_code), Location.STATUS))
        return exchange, findings
    document = exchange.json()
    for pointer, expected_value in step.expect.items():
        expected_value = ctx.fill(expected_value, saved)
        observed = jsonpointer.resolve_pointer(document, pointer, _MISSING)
        problem = _compare(expected_value, observed)
        if problem is not None:
            findings.append(mismatch(pointer, *problem))
    for name, pointer in step.save.items():
        value = jsonpointer.resolve_pointer(document, pointer, _MISSING)
        if value is _MISSING or value is None:
            expected = "a value here (the next step of the documented behaviour uses it)"
            findings.append(mismatch(pointer, expected, "absent" if value is _MISSING else "null"))
        else:
            saved[name] = value
    return exchange, findings


def _compare(expected: Any, observed: Any) -> tuple[str, str] | None:
    """None when ``observed`` satisfies ``expected``; otherwise (expected, observed) descriptions."""
    shown = "absent" if observed is _MISSING else describe_value(observed)
    if expected is PRESENT:
        return None if observed is not _MISSING else ("present", shown)
    if expected is ABSENT:
        return None if observed is _MISSING else ("absent", shown)
    if isinstance(expected, dict):
        if not isinstance(observed, dict):
            return (f"an object containing {describe_value(expected)}", shown)
        differing = {key: value for key, value in expected.items() if observed.get(key, _MISSING) != value}
        if differing:
            return (f"an object containing {describe_value(expected)}", shown)
        return None
    return None if observed == expected else (describe_value(expected), shown)


def steps_missing(
    ctx: RunContext, steps: Iterable[Step], needs: frozenset[Capability], variables: tuple[str, ...]
) -> str | None:
    """Why ``steps`` cannot run on this target (what they need, with what their operations need), or None."""
    needs_all, variables_all = set(needs), set(variables)
    for step in steps:
        operation = ctx.spec.operation(step.operation)
        needs_all |= ctx.vendor.needs_of(step.operation, is_write=operation.is_write)
        variables_all |= set(ctx.vendor.variables_of(step.operation))
    return ctx.missing(frozenset(needs_all)) or ctx.missing_variables(tuple(sorted(variables_all)))


def run_scenario(ctx: RunContext, scenario: Scenario) -> Outcome:
    outcome = Outcome(name=f"scenario:{scenario.name}")
    reason = steps_missing(ctx, scenario.steps, scenario.needs, scenario.variables)
    if reason is not None:
        outcome.skipped = reason
        return outcome
    saved: dict[str, Any] = {}
    for step in scenario.steps:
        try:
            exchange, findings = run_step(ctx, step, source=outcome.name, saved=saved)
        except (VendorFault, UnsafeRequest) as fault:
            record_fault(outcome, fault, vendor=ctx.vendor.name, operation=step.operation)
            return outcome
        outcome.cases += 1
        outcome.findings.extend(findings)
        if exchange.status_code not in step.expect_status or not set(step.save) <= set(saved):
            outcome.notes.append(f"stopped after {step.operation}: later steps depend on it")
            return outcome
    return outcome
