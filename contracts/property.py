"""Property tests: schemathesis generates cases from the spec and runs every check on the responses.

The schema handed to schemathesis is the vendor's spec with two run-time
additions (never a schema change): the run's known lead id and a well-formed
unknown id become examples of the read operation's id (so the examples phase
reaches the documented 2xx and 404), and on targets where outreach is not
allowed the fields that trigger it are stripped from generated bodies. The
docs' examples that cannot validate are not OpenAPI examples at all (the specs
keep them under ``x-invalid-examples``), so schemathesis never sends them.
Credentials go in through the spec's security scheme (``auth.openapi``), which
schemathesis masks and uses for ``ignored_auth``. Every request goes through
the ``ClientTransport`` to our client.

Check failures become findings. Checks about input the docs say nothing about
are advisory (``input_not_rejected`` warnings); the rest break the contract.
"""

from __future__ import annotations

import traceback
from collections.abc import Iterator
from typing import Any

import schemathesis
from schemathesis.config import SchemathesisConfig
from schemathesis.core.failures import Failure, MalformedJson, ServerError
from schemathesis.engine import events, from_schema
from schemathesis.engine.recorder import ScenarioRecorder
from schemathesis.openapi.checks import (
    IgnoredAuth,
    JsonSchemaError,
    MalformedMediaType,
    MissingContentType,
    MissingHeaderNotRejected,
    MissingHeaders,
    UndefinedContentType,
    UndefinedStatusCode,
)

from contracts.bridge import ClientTransport, install
from contracts.conformance import CheckContext, ObservedResponse, check_response
from contracts.context import RUN_MARKER_KEY, RunContext
from contracts.driver import CheckedCase, drive_operation
from contracts.errors import ContractSuiteError, UnsafeRequest, VendorFault
from contracts.findings import Finding, Kind, Location, Severity, describe_value, json_pointer, merge, truncate
from contracts.model import Capability
from contracts.outcome import Outcome, record_fault
from contracts.targets import PROPERTY_PHASES

ADVISORY_CHECKS = frozenset(
    {"negative_data_rejection", "positive_data_acceptance", "unsupported_method", "allow_header_conformance"}
)
"""Checks about input handling the docs do not promise: reported as ``input_not_rejected``, never failing."""

SAFE_UNEXPECTED_METHODS = ["options", "trace"]

DETERMINISTIC_SEED = 20261123
"""The seed of deterministic runs (the default, live and fake): the same spec sends the same cases."""


def prepare_schema_document(ctx: RunContext) -> dict[str, Any]:
    """The spec as schemathesis should see it for this run (see the module docstring)."""
    raw = ctx.spec.copy_raw()
    # A relative server URL: cases go to the ClientTransport, and schemathesis's own capability probes,
    # which would use a raw `requests` session, are skipped (they need an absolute URL).
    raw["servers"] = [{"url": ctx.spec.server_path or "/"}]
    read = ctx.spec.operation(ctx.vendor.read_operation)
    item = raw["paths"][read.path][read.method.lower()]
    for parameter in item.get("parameters", []):
        if parameter.get("name") == ctx.vendor.id_parameter and parameter.get("in") == "path":
            examples = parameter.setdefault("examples", {})
            # The examples phase then reaches both the documented 2xx and the documented 404.
            if ctx.known_lead_id is not None:
                examples["known-lead"] = {"value": ctx.known_lead_id}
            examples["unknown-id"] = {"value": ctx.vendor.unknown_id}
    return raw


def _config(ctx: RunContext, *, phases: tuple[str, ...], stateful: bool, only: str | None) -> Any:
    scheme = ctx.spec.security_scheme(ctx.vendor.security_scheme)
    key = ctx.target.api_key.reveal()
    credential = {"bearer": key} if scheme.get("type") == "http" else {"api_key": key}
    limits = ctx.target.limits
    coverage: dict[str, Any] = {"enabled": "coverage" in phases}
    if not ctx.target.allows(Capability.UNDOCUMENTED_METHODS):
        coverage["unexpected-methods"] = SAFE_UNEXPECTED_METHODS
    exclusions: list[dict[str, Any]] = [
        {
            "include-operation-id": ctx.spec.operation(item.operation).operation_id,
            "checks": {item.check: {"enabled": False}},
        }
        for item in ctx.vendor.check_exclusions
    ]
    if only is not None:
        # Narrowing through `[[operations]] enabled = false`, not `schema.include()`: schemathesis ORs an
        # include filter with the filter its `[[operations]]` entries install, which would select everything.
        others = [operation.operation_id for operation in ctx.spec.operations if operation.label != only]
        if others:
            exclusions.append({"include-operation-id": others, "enabled": False})
    return SchemathesisConfig.from_dict(
        {
            # A deterministic run draws from a fixed seed (mixed with each operation's label by schemathesis),
            # not from Hypothesis's `derandomize`, which seeds from the test function's source: a refactor
            # of our driver would otherwise change every case a run sends.
            **({"seed": DETERMINISTIC_SEED} if limits.deterministic else {}),
            "auth": {"openapi": {ctx.vendor.security_scheme: credential}},
            "generation": {
                "max-examples": limits.max_examples,
                "deterministic": limits.deterministic,
                "database": "none",
            },
            "phases": {
                "examples": {"enabled": "examples" in phases},
                "coverage": coverage,
                "fuzzing": {"enabled": "fuzzing" in phases},
                "stateful": {
                    "enabled": stateful,
                    "max-steps": limits.stateful_steps,
                    "generation": {"max-examples": limits.stateful_examples},
                },
            },
            "operations": exclusions,
        }
    )


def build_schema(
    ctx: RunContext,
    *,
    phases: tuple[str, ...] = PROPERTY_PHASES,
    stateful: bool = False,
    only: str | None = None,
    source: str = "schemathesis",
) -> Any:
    """The schemathesis schema for this run; ``only`` narrows it to one operation label."""
    schema = schemathesis.openapi.from_dict(
        prepare_schema_document(ctx), config=_config(ctx, phases=phases, stateful=stateful, only=only)
    )
    install(schema, ClientTransport(ctx.client, server_path=ctx.spec.server_path, source=source))
    forbidden = {} if ctx.target.allows(Capability.OUTREACH) else ctx.vendor.outreach_fields
    markers = ctx.vendor.marker_pointer

    def make_safe(case: Any) -> Any:
        """Strip outreach fields the target does not allow; mark records this run creates."""
        label = case.operation.label
        if not isinstance(case.body, dict):
            return case
        for name in forbidden.get(label, ()):
            case.body.pop(name, None)
        if label in markers:
            key = markers[label].lstrip("/")
            existing = case.body.get(key, {})
            if isinstance(existing, dict):
                # Adding a key to a free-form map keeps a negative case negative.
                case.body[key] = {**existing, RUN_MARKER_KEY: ctx.run_marker}
            positive = case.meta is None or case.meta.generation.mode.value == "positive"
            if positive and isinstance(case.body.get("email"), str):
                # Unique, so a vendor that deduplicates by email cannot turn a create into an update.
                case.body["email"] = ctx.unique_email()
        return case

    @schema.hook
    def map_case(context: Any, case: Any) -> Any:
        return make_safe(case)

    @schema.hook
    def before_add_examples(context: Any, examples: list[Any]) -> None:
        # Explicit examples (the examples phase) do not pass through map_case.
        for case in examples:
            make_safe(case)

    return schema


def run_property(ctx: RunContext, *, operation: str | None = None, stateful: bool = False) -> Outcome:
    """Property-test one operation (examples, coverage, fuzzing; every operation when ``operation`` is None)
    or, with ``stateful``, the spec's links."""
    name = "stateful" if stateful else f"property:{operation}"
    outcome = Outcome(name=f"schemathesis:{name}")
    if stateful:
        _run_stateful(ctx, outcome)
        return outcome
    phases = ctx.target.limits.phases
    schema = build_schema(ctx, phases=phases, only=operation, source=outcome.name)
    labels = [operation] if operation is not None else [op.label for op in ctx.spec.operations]

    def collect(checked: CheckedCase) -> None:
        for check, failure in checked.failures:
            outcome.findings.extend(
                _findings_from_failure(ctx, check, failure, checked.case, checked.response, source=outcome.name)
            )

    for label in labels:
        documented = ctx.spec.operation(label)
        drive = drive_operation(
            schema,
            schema[documented.path][documented.method.lower()],
            phases=phases,
            on_checked=collect,
            vendor=ctx.vendor.name,
        )
        outcome.cases += drive.cases
        outcome.notes.extend(f"not sent: {message}" for message in drive.refused)
        if drive.fault is not None:
            record_fault(outcome, drive.fault, vendor=ctx.vendor.name, operation=label)
            break
    # Every case is checked, so one deviation is usually seen many times: one finding each, with its count.
    outcome.findings = merge(outcome.findings)
    return outcome


def _run_stateful(ctx: RunContext, outcome: Outcome) -> None:
    """Follow the spec's links with schemathesis's engine, whose stateful phase builds the state machine."""
    schema = build_schema(ctx, phases=(), stateful=True, source=outcome.name)
    engine_errors: list[str] = []
    for event in from_schema(schema).execute():
        if isinstance(event, events.ScenarioFinished):
            outcome.cases += len(event.recorder.cases)
            outcome.findings.extend(_findings_from_recorder(ctx, event.recorder, source=outcome.name))
        elif isinstance(event, events.NonFatalError):
            error = event.value
            if isinstance(error, VendorFault):
                record_fault(outcome, error, vendor=ctx.vendor.name, operation=_faulted_operation(ctx, event.label))
            elif isinstance(error, UnsafeRequest):
                outcome.notes.append(f"not sent: {error.message}")
            else:
                engine_errors.append(_describe_engine_error(event.label, error))
        elif isinstance(event, events.FatalError):
            raise ContractSuiteError(
                f"schemathesis stopped: {_describe_engine_error(None, event.exception)}", vendor=ctx.vendor.name
            )
    if engine_errors:
        raise ContractSuiteError(
            "schemathesis could not run some cases (a bug in the suite or its spec):\n" + "\n".join(engine_errors),
            vendor=ctx.vendor.name,
        )


def _faulted_operation(ctx: RunContext, label: str | None) -> str:
    """The operation a fault happened on: the engine's label, or (stateful phase) the last failed exchange's."""
    if label and any(operation.label == label for operation in ctx.spec.operations):
        return label
    failed = [exchange for exchange in ctx.client.exchanges if exchange.error and exchange.operation]
    return failed[-1].operation or "" if failed else (label or "")


def _describe_engine_error(label: str | None, error: BaseException) -> str:
    where = f"{label}: " if label else ""
    frames = "".join(traceback.format_exception(error)[-3:])
    return f"{where}{type(error).__name__}: {error}\n{frames}"


def _findings_from_recorder(ctx: RunContext, recorder: ScenarioRecorder, *, source: str) -> Iterator[Finding]:
    for case_id, checks in recorder.checks.items():
        for check in checks:
            if check.failure_info is None:
                continue
            node = recorder.cases.get(case_id)
            interaction = recorder.interactions.get(case_id)
            if node is None or interaction is None or interaction.response is None:
                continue
            yield from _findings_from_failure(
                ctx, check.name, check.failure_info.failure, node.value, interaction.response, source=source
            )


def _findings_from_failure(
    ctx: RunContext, check: str, failure: Failure, case: Any, response: Any, *, source: str
) -> Iterator[Finding]:
    observed = ObservedResponse(
        status_code=response.status_code,
        headers={name.lower(): values[0] for name, values in response.headers.items() if values},
        content=response.content,
    )
    label = case.operation.label
    operation = ctx.spec.match(case.method, case.formatted_path) or ctx.spec.operation(label)
    example = _example(ctx, case)
    check_ctx = CheckContext(vendor=ctx.vendor.name, spec=ctx.spec, operation=operation, source=source, example=example)

    def finding(kind: Kind, *, path: str = "", location: Location = Location.BODY, expected: str, seen: str) -> Finding:
        advisory = check in ADVISORY_CHECKS
        return Finding(
            vendor=ctx.vendor.name,
            operation=label,
            status_code=observed.status_code,
            kind=Kind.INPUT_NOT_REJECTED if advisory else kind,
            severity=Severity.WARNING if advisory else Severity.ERROR,
            path=path,
            location=location,
            expected=expected,
            observed=ctx.redactor.scrub(seen),
            check=check,
            message=ctx.redactor.scrub(truncate(failure.message, 600)),
            source=source,
            example=example,
        )

    if isinstance(failure, JsonSchemaError) and check == "response_schema_conformance":
        # Our own validator explains the failure fully (every error, with its kind and pointer).
        explained = list(check_response(check_ctx, observed))
        if explained:
            yield from explained
            return
        yield finding(
            Kind.ERROR_BODY_MISMATCH if observed.status_code >= 400 else Kind.TYPE_MISMATCH,
            path=json_pointer(failure.instance_path),
            expected=truncate(failure.validation_message or failure.title, 200),
            seen=describe_value(failure.instance),
        )
    elif isinstance(failure, JsonSchemaError):  # a response header that violates its schema
        yield finding(
            Kind.TYPE_MISMATCH,
            path=json_pointer(failure.instance_path),
            location=Location.HEADER,
            expected=truncate(failure.validation_message or failure.title, 200),
            seen=describe_value(failure.instance),
        )
    elif isinstance(failure, UndefinedStatusCode):
        yield finding(
            Kind.UNDOCUMENTED_STATUS,
            location=Location.STATUS,
            expected=f"one of the documented statuses {', '.join(map(str, failure.defined_status_codes))}",
            seen=str(failure.status_code),
        )
    elif isinstance(failure, MissingContentType | UndefinedContentType | MalformedMediaType | MalformedJson):
        yield finding(
            Kind.CONTENT_TYPE_MISMATCH,
            location=Location.HEADER,
            path="/content-type",
            expected=failure.title,
            seen=observed.headers.get("content-type", "(no Content-Type)"),
        )
    elif isinstance(failure, MissingHeaders):
        for header in failure.missing_headers:
            yield finding(
                Kind.MISSING_FIELD,
                location=Location.HEADER,
                path=f"/{header.lower()}",
                expected="the header, which the spec marks required",
                seen="absent",
            )
    elif isinstance(failure, IgnoredAuth):
        yield finding(
            Kind.AUTH_NOT_ENFORCED,
            location=Location.STATUS,
            expected="401 or 403 without valid credentials",
            seen=f"{failure.title}: {failure.message}",
        )
    elif isinstance(failure, MissingHeaderNotRejected):
        is_credential = failure.header_name.lower() in ctx.spec.credential_header_names()
        kind = Kind.AUTH_NOT_ENFORCED if is_credential else Kind.INPUT_NOT_REJECTED
        yield finding(
            kind,
            location=Location.REQUEST,
            path=f"/headers/{failure.header_name}",
            expected=f"one of {', '.join(map(str, failure.expected_statuses))} without {failure.header_name}",
            seen=str(failure.status_code),
        )
    elif isinstance(failure, ServerError):
        yield finding(
            Kind.BEHAVIOR_MISMATCH,
            location=Location.STATUS,
            expected="no server error for a documented request",
            seen=f"{observed.status_code} {describe_value(observed.content.decode('utf-8', 'replace'))}",
        )
    else:
        yield finding(
            Kind.BEHAVIOR_MISMATCH,
            location=Location.STATUS if check in ADVISORY_CHECKS else Location.BODY,
            expected=failure.title,
            seen=f"{observed.status_code}: {truncate(failure.message.splitlines()[0] if failure.message else '', 160)}",
        )


def _example(ctx: RunContext, case: Any) -> dict[str, Any]:
    example: dict[str, Any] = {
        "method": case.method,
        "url": ctx.redactor.scrub(f"{ctx.target.base_url}{case.formatted_path}"),
    }
    if case.query:
        example["query"] = ctx.redactor.scrub_value(dict(case.query))
    body = getattr(case, "body", None)
    if isinstance(body, dict | list | str | int | float | bool):
        example["body"] = ctx.redactor.scrub_value(body)
    example["mode"] = case.meta.generation.mode.value if case.meta is not None else "explicit"
    return example
