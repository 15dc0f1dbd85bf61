"""schemathesis check failures as findings: what each kind of failure means for the contract.

Checks about input the docs say nothing about are advisory (``input_not_rejected`` warnings);
the rest break the contract. A response-schema failure is explained by our own validator, which
names every error with its kind and pointer.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from contracts.engine.context import RunContext
from contracts.engine.schemathesis_seam import CheckedResponse, CheckFailure, FailureKind, SentCase
from contracts.spec.conformance import CheckContext, ObservedResponse, check_response
from contracts.values.findings import Finding, Kind, Location, Severity, describe_value, json_pointer, truncate

ADVISORY_CHECKS = frozenset(
    {"negative_data_rejection", "positive_data_acceptance", "unsupported_method", "allow_header_conformance"}
)
"""Checks about input handling the docs do not promise: reported as ``input_not_rejected``, never failing."""

FindingFactory = Callable[..., Finding]


def findings_from_failure(
    ctx: RunContext, failure: CheckFailure, case: SentCase, response: CheckedResponse, *, source: str
) -> Iterator[Finding]:
    """The findings one check failure on one response stands for."""
    observed = ObservedResponse(status_code=response.status_code, headers=response.headers, content=response.content)
    example = case_example(ctx, case)
    advisory = failure.check in ADVISORY_CHECKS

    def finding(kind: Kind, *, path: str = "", location: Location = Location.BODY, expected: str, seen: str) -> Finding:
        return Finding(
            vendor=ctx.vendor.name,
            operation=case.label,
            status_code=observed.status_code,
            kind=Kind.INPUT_NOT_REJECTED if advisory else kind,
            severity=Severity.WARNING if advisory else Severity.ERROR,
            path=path,
            location=location,
            expected=expected,
            observed=ctx.redactor.scrub(seen),
            check=failure.check,
            message=ctx.redactor.scrub(truncate(failure.message, 600)),
            source=source,
            example=example,
        )

    if failure.kind in (FailureKind.RESPONSE_SCHEMA, FailureKind.HEADER_SCHEMA):
        # Our own validator explains the failure fully (every error, with its kind and pointer: for a header, the
        # header's name, which schemathesis's failure does not give): the findings of the same check, and for a
        # header schema only the invalid values (the missing ones are schemathesis's MISSING_HEADERS failures).
        operation = ctx.spec.match(case.method, case.path) or ctx.spec.operation(case.label)
        check_ctx = CheckContext(
            vendor=ctx.vendor.name, spec=ctx.spec, operation=operation, source=source, example=example
        )
        explained = [
            found
            for found in check_response(check_ctx, observed)
            if found.check == failure.check
            and not (failure.kind is FailureKind.HEADER_SCHEMA and found.kind is Kind.MISSING_FIELD)
        ]
        if explained:
            yield from explained
            return
    yield from _TRANSLATIONS[failure.kind](finding, failure, observed, ctx)


def _schema(finding: FindingFactory, failure: CheckFailure, observed: ObservedResponse, ctx: Any) -> Iterator[Finding]:
    header = failure.kind is FailureKind.HEADER_SCHEMA
    yield finding(
        Kind.TYPE_MISMATCH if header or observed.status_code < 400 else Kind.ERROR_BODY_MISMATCH,
        path=json_pointer(failure.instance_path),
        location=Location.HEADER if header else Location.BODY,
        expected=truncate(failure.validation_message or failure.title, 200),
        seen=describe_value(failure.instance),
    )


def _status(finding: FindingFactory, failure: CheckFailure, observed: ObservedResponse, ctx: Any) -> Iterator[Finding]:
    yield finding(
        Kind.UNDOCUMENTED_STATUS,
        location=Location.STATUS,
        expected=f"one of the documented statuses {', '.join(failure.documented_statuses)}",
        seen=str(failure.status_code),
    )


def _content_type(
    finding: FindingFactory, failure: CheckFailure, observed: ObservedResponse, ctx: Any
) -> Iterator[Finding]:
    yield finding(
        Kind.CONTENT_TYPE_MISMATCH,
        location=Location.HEADER,
        path="/content-type",
        expected=failure.title,
        seen=observed.headers.get("content-type", "(no Content-Type)"),
    )


def _missing_headers(
    finding: FindingFactory, failure: CheckFailure, observed: ObservedResponse, ctx: Any
) -> Iterator[Finding]:
    for header in failure.headers:
        yield finding(
            Kind.MISSING_FIELD,
            location=Location.HEADER,
            path=f"/{header.lower()}",
            expected="the header, which the spec marks required",
            seen="absent",
        )


def _ignored_auth(
    finding: FindingFactory, failure: CheckFailure, observed: ObservedResponse, ctx: Any
) -> Iterator[Finding]:
    yield finding(
        Kind.AUTH_NOT_ENFORCED,
        location=Location.STATUS,
        expected="401 or 403 without valid credentials",
        seen=f"{failure.title}: {failure.message}",
    )


def _header_not_rejected(
    finding: FindingFactory, failure: CheckFailure, observed: ObservedResponse, ctx: RunContext
) -> Iterator[Finding]:
    (header,) = failure.headers
    is_credential = header.lower() in ctx.spec.credential_header_names()
    yield finding(
        Kind.AUTH_NOT_ENFORCED if is_credential else Kind.INPUT_NOT_REJECTED,
        location=Location.REQUEST,
        path=f"/headers/{header}",
        expected=f"one of {', '.join(map(str, failure.expected_statuses))} without {header}",
        seen=str(failure.status_code),
    )


def _server_error(
    finding: FindingFactory, failure: CheckFailure, observed: ObservedResponse, ctx: Any
) -> Iterator[Finding]:
    yield finding(
        Kind.BEHAVIOR_MISMATCH,
        location=Location.STATUS,
        expected="no server error for a documented request",
        seen=f"{observed.status_code} {describe_value(observed.content.decode('utf-8', 'replace'))}",
    )


def _other(finding: FindingFactory, failure: CheckFailure, observed: ObservedResponse, ctx: Any) -> Iterator[Finding]:
    first_line = failure.message.splitlines()[0] if failure.message else ""
    yield finding(
        Kind.BEHAVIOR_MISMATCH,
        location=Location.STATUS if failure.check in ADVISORY_CHECKS else Location.BODY,
        expected=failure.title,
        seen=f"{observed.status_code}: {truncate(first_line, 160)}",
    )


_TRANSLATIONS: dict[FailureKind, Callable[[FindingFactory, CheckFailure, ObservedResponse, Any], Iterator[Finding]]] = {
    FailureKind.RESPONSE_SCHEMA: _schema,
    FailureKind.HEADER_SCHEMA: _schema,
    FailureKind.UNDOCUMENTED_STATUS: _status,
    FailureKind.CONTENT_TYPE: _content_type,
    FailureKind.MISSING_HEADERS: _missing_headers,
    FailureKind.IGNORED_AUTH: _ignored_auth,
    FailureKind.MISSING_HEADER_NOT_REJECTED: _header_not_rejected,
    FailureKind.SERVER_ERROR: _server_error,
    FailureKind.OTHER: _other,
}


def case_example(ctx: RunContext, case: SentCase) -> dict[str, Any]:
    """The request a finding shows, with every configured key masked."""
    example: dict[str, Any] = {"method": case.method, "url": ctx.redactor.scrub(f"{ctx.target.base_url}{case.path}")}
    if case.query:
        example["query"] = ctx.redactor.scrub_value(dict(case.query))
    if isinstance(case.body, dict | list | str | int | float | bool):
        example["body"] = ctx.redactor.scrub_value(case.body)
    example["mode"] = case.mode
    return example
