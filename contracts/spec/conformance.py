"""Explicit conformance checks of one response against the spec, yielding findings.

Status, content type, documented headers (required ones present, every
documented one valid against its schema, read from its wire text as
schemathesis reads it) and the JSON body (with formats really checked) are
compared with what the spec documents for the operation. Each jsonschema
error becomes a finding whose kind says what broke (missing field, unexpected
null, wrong type, format, enum) and whose path is the JSON pointer of the
offending value (``/<header-name>`` for a header).

Every response is checked, so the body goes first through jsonschema-rs
(compiled once per schema); only a body it rejects pays for jsonschema's
slower, more explanatory errors.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import jsonschema_rs
from jsonschema.exceptions import ValidationError

from contracts.spec.document import Operation, ResponseSpec, Spec
from contracts.values.findings import Finding, Kind, Location, Severity, describe_value, json_pointer

JSON_MEDIA_TYPES = ("application/json",)


@dataclass(frozen=True)
class ObservedResponse:
    """The parts of a response the checks look at, whatever transport produced it."""

    status_code: int
    headers: Mapping[str, str]
    """Lower-cased names."""
    content: bytes

    @property
    def media_type(self) -> str:
        return self.headers.get("content-type", "").split(";")[0].strip().lower()

    def json(self) -> Any:
        return json.loads(self.content)


@dataclass(frozen=True, kw_only=True)
class CheckContext:
    vendor: str
    spec: Spec
    operation: Operation
    source: str
    example: Mapping[str, Any]


def check_response(ctx: CheckContext, response: ObservedResponse, *, expect_schema: str | None = None) -> list[Finding]:
    """All contract findings for one response: status documented, content type, headers, body schema."""
    return list(_iter_response_findings(ctx, response, expect_schema=expect_schema))


def _iter_response_findings(
    ctx: CheckContext, response: ObservedResponse, *, expect_schema: str | None
) -> Iterator[Finding]:
    documented = ctx.operation.response_for(response.status_code)
    if documented is None:
        yield _finding(
            ctx,
            response.status_code,
            kind=Kind.UNDOCUMENTED_STATUS,
            location=Location.STATUS,
            path="",
            expected=f"one of the documented statuses {', '.join(ctx.operation.documented_statuses)}",
            observed=str(response.status_code),
            check="status_code_conformance",
        )
        return
    if documented.headers:
        yield from _headers(ctx, response, documented)
    if not documented.media_types:
        return  # documented without a body (e.g. a bare 500): nothing more to compare
    media_type = response.media_type
    if media_type not in documented.media_types:
        yield _finding(
            ctx,
            response.status_code,
            kind=Kind.CONTENT_TYPE_MISMATCH,
            location=Location.HEADER,
            path="/content-type",
            expected=" or ".join(documented.media_types),
            observed=media_type or "(no Content-Type)",
            check="content_type_conformance",
        )
        return
    if media_type not in JSON_MEDIA_TYPES:
        return
    try:
        body = response.json()
    except ValueError:
        yield _finding(
            ctx,
            response.status_code,
            kind=Kind.CONTENT_TYPE_MISMATCH,
            location=Location.BODY,
            path="",
            expected="a JSON document, as the Content-Type says",
            observed=describe_value(response.content.decode("utf-8", "replace")),
            check="response_schema_conformance",
        )
        return
    pointer = expect_schema or ctx.spec.response_schema_pointer(documented, media_type)
    if pointer is not None:
        yield from check_body(ctx, response.status_code, body, pointer)


def _headers(ctx: CheckContext, response: ObservedResponse, documented: ResponseSpec) -> Iterator[Finding]:
    """A finding for each required header that is absent, and each documented header whose value breaks its schema."""
    for header in ctx.spec.header_checks(documented):
        value = response.headers.get(header.name)
        if value is None:
            if header.required:
                yield _finding(
                    ctx,
                    response.status_code,
                    kind=Kind.MISSING_FIELD,
                    location=Location.HEADER,
                    path=f"/{header.name}",
                    expected="the header, which the spec marks required",
                    observed="absent",
                    check="response_headers_conformance",
                )
            continue
        if header.validator is None:
            continue
        instance = wire_value(value, header.types)
        if not header.validator.is_valid(instance):
            yield _header_finding(ctx, response.status_code, header.name, value, header.validator.iter_errors(instance))


def _header_finding(
    ctx: CheckContext, status_code: int, name: str, value: str, errors: Iterator[jsonschema_rs.ValidationError]
) -> Finding:
    """The finding for a header whose value breaks its schema: its first error names the kind."""
    leaf = next(_explain_rs(next(errors)))
    keyword, keyword_value = _rs_keyword(leaf)
    kind, expected, _ = _describe(keyword, keyword_value, leaf.instance)
    return _finding(
        ctx,
        status_code,
        kind=kind,
        location=Location.HEADER,
        path=f"/{name}",
        expected=expected,
        observed=describe_value(value),
        check="response_headers_conformance",
        message=leaf.message,
    )


def wire_value(text: str, types: tuple[str, ...]) -> Any:
    """A header's text as the JSON value its schema's types read it as, as schemathesis's
    ``response_headers_conformance`` reads it: ``"5"`` is 5 for an integer, ``"5.0"`` or ``" 5"`` stays text."""
    if types == ("integer",) and text.isascii() and text.isdigit():
        return int(text)  # the common case, first
    if "string" in types or not types:
        return text
    if "null" in types and text.lower() == "null":
        return None
    if not text.isascii() or "_" in text or text != text.strip():
        return text
    for wanted, parse in (("integer", int), ("number", float)):
        if wanted in types:
            try:
                return parse(text)
            except ValueError:
                pass
    if "boolean" in types and text.lower() in ("true", "false"):
        return text.lower() == "true"
    return text


def check_body(ctx: CheckContext, status_code: int, body: Any, schema_pointer: str) -> Iterator[Finding]:
    """Validate ``body`` against the schema at ``schema_pointer``, one finding per deepest error.

    jsonschema-rs, compiled once per schema, decides; only a body it rejects is explained by the pure-Python
    validator, whose errors name the keyword and branch a finding needs. Where jsonschema-rs sees an error
    the explanation does not (ECMA-262 ``$`` refuses a trailing newline, Python's allows it), its own error
    becomes the finding: a failure is never lost.
    """
    fast = ctx.spec.fast_validator(schema_pointer)
    if fast.is_valid(body):
        return
    explained = [
        _finding_from_error(ctx, status_code, leaf)
        for error in ctx.spec.validator(schema_pointer).iter_errors(body)
        for leaf in _explain(error)
    ]
    yield from explained
    seen = [finding.path for finding in explained]
    for error in fast.iter_errors(body):
        for leaf in _explain_rs(error):
            finding = _finding_from_rs_error(ctx, status_code, leaf)
            if not any(_related(finding.path, path) for path in seen):
                seen.append(finding.path)
                yield finding


def _related(pointer: str, other: str) -> bool:
    """Whether one pointer is the other or inside it: the engines may pick different errors in one subtree."""
    return pointer == other or pointer.startswith(f"{other}/") or other.startswith(f"{pointer}/")


def _explain(error: ValidationError) -> Iterator[ValidationError]:
    """Replace an anyOf/oneOf failure by the errors of the branch the instance was meant for.

    For a nullable object (``anyOf: [{$ref: X}, {type: null}]``) the interesting errors are those
    inside X, not "is not valid under any of the given schemas".
    """
    if error.validator not in ("anyOf", "oneOf") or not error.context:
        yield error
        return
    by_branch: dict[int, list[ValidationError]] = {}
    for sub in error.context:
        by_branch.setdefault(int(sub.relative_schema_path[0]), []).append(sub)
    candidates = [
        errors
        for errors in by_branch.values()
        if not (len(errors) == 1 and errors[0].validator == "type" and errors[0].validator_value == "null")
    ]
    if not candidates:
        yield error
        return
    best = min(candidates, key=lambda errors: (len(errors), -max(len(e.path) for e in errors)))
    for sub in best:
        yield from _explain(sub)


_NULL = {"types": ["null"]}


def _explain_rs(error: jsonschema_rs.ValidationError) -> Iterator[jsonschema_rs.ValidationError]:
    """``_explain`` for jsonschema-rs errors, whose anyOf/oneOf kind lists each branch's errors."""
    branches = error.kind.as_dict().get("context") if error.kind.name in ("anyOf", "oneOf") else None
    candidates = [
        errors
        for errors in branches or ()
        if errors and not (len(errors) == 1 and errors[0].kind.name == "type" and errors[0].kind.as_dict() == _NULL)
    ]
    if not candidates:
        yield error
        return
    best = min(candidates, key=lambda errors: (len(errors), -max(len(e.instance_path) for e in errors)))
    for sub in best:
        yield from _explain_rs(sub)


def _finding_from_error(ctx: CheckContext, status_code: int, error: ValidationError) -> Finding:
    keyword = str(error.validator)
    if keyword == "required":
        missing = _missing_property(error)
        return _schema_finding(ctx, status_code, keyword, [*error.absolute_path, missing], missing, None, error.message)
    return _schema_finding(
        ctx, status_code, keyword, error.absolute_path, error.validator_value, error.instance, error.message
    )


def _finding_from_rs_error(ctx: CheckContext, status_code: int, error: jsonschema_rs.ValidationError) -> Finding:
    keyword, value = _rs_keyword(error)
    if keyword == "required":
        missing = str(value)
        return _schema_finding(ctx, status_code, keyword, [*error.instance_path, missing], missing, None, error.message)
    return _schema_finding(ctx, status_code, keyword, error.instance_path, value, error.instance, error.message)


def _rs_keyword(error: jsonschema_rs.ValidationError) -> tuple[str, Any]:
    """A jsonschema-rs error's keyword and its value in the schema, as jsonschema gives them ({"format": "uuid"} ->
    "uuid", types ["x"] -> "x"); for ``required``, the missing member's name."""
    keyword = error.kind.name
    details = error.kind.as_dict()
    if keyword == "required":
        return keyword, str(details.get("property", ""))
    value: Any = next(iter(details.values())) if len(details) == 1 else details
    if isinstance(value, list) and len(value) == 1 and keyword == "type":
        value = value[0]
    return keyword, value


def _schema_finding(
    ctx: CheckContext,
    status_code: int,
    keyword: str,
    path: Iterable[str | int],
    value: Any,
    instance: Any,
    message: str,
) -> Finding:
    """The finding for one failed keyword: ``value`` is the keyword's value (for ``required``, the missing name)."""
    kind, expected, observed = _describe(keyword, value, instance)
    if status_code >= 400:
        expected = f"the documented error body: {expected}"
        kind = Kind.ERROR_BODY_MISMATCH
    return _finding(
        ctx,
        status_code,
        kind=kind,
        location=Location.BODY,
        path=json_pointer(path),
        expected=expected,
        observed=observed,
        check="response_schema_conformance",
        message=message,
    )


def _describe(keyword: str, value: Any, instance: Any) -> tuple[Kind, str, str]:
    """What one failed keyword means: its kind, what the schema expects and what was observed."""
    kind: Kind
    if keyword == "required":
        kind = Kind.MISSING_FIELD
        expected = f"a {value!r} member (required)"
        observed = "absent"
    elif keyword == "type" and instance is None:
        kind = Kind.UNEXPECTED_NULL
        expected = f"type {describe_value(value)} (not nullable)"
        observed = "null"
    elif keyword == "type":
        kind = Kind.TYPE_MISMATCH
        expected = f"type {describe_value(value)}"
        observed = f"{_json_type(instance)} {describe_value(instance)}"
    elif keyword in ("format", "pattern"):
        kind = Kind.FORMAT_MISMATCH
        expected = f"{keyword} {describe_value(value)}"
        observed = describe_value(instance)
    elif keyword in ("enum", "const"):
        kind = Kind.ENUM_MISMATCH
        expected = f"{'one of ' if keyword == 'enum' else ''}{describe_value(value)}"
        observed = describe_value(instance)
    else:
        kind = Kind.TYPE_MISMATCH
        expected = f"{keyword} {describe_value(value)}"
        observed = describe_value(instance)
    return kind, expected, observed


def _missing_property(error: ValidationError) -> str:
    """The member this error is about.

    jsonschema yields one error per missing member, worded "<repr of the name> is a required property";
    the first absent name of ``required`` would give every one of them the same pointer.
    """
    # Matched against repr() rather than parsed: ast.literal_eval here raced schemathesis's stateful thread,
    # which parses source too (CPython 3.11's "AST constructor recursion depth mismatch", gh-106905).
    worded, found, _ = error.message.rpartition(" is a required property")
    required = error.validator_value if isinstance(error.validator_value, list) else []
    present = error.instance if isinstance(error.instance, dict) else {}
    for name in required:
        if found and isinstance(name, str) and name not in present and repr(name) == worded:
            return name
    for name in required:
        if name not in present:
            return str(name)
    return error.message.split("'")[1] if "'" in error.message else ""


def _json_type(value: Any) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number" if isinstance(value, float) else "integer"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "object"
    return "null"


def _finding(
    ctx: CheckContext,
    status_code: int,
    *,
    kind: Kind,
    location: Location,
    path: str,
    expected: str,
    observed: str,
    check: str,
    message: str = "",
) -> Finding:
    return Finding(
        vendor=ctx.vendor,
        operation=ctx.operation.label,
        status_code=status_code,
        kind=kind,
        severity=Severity.ERROR,
        path=path,
        expected=expected,
        observed=observed,
        check=check,
        message=message,
        location=location,
        source=ctx.source,
        example=dict(ctx.example),
    )
