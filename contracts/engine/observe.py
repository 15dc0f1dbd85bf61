"""Drift observations: what every observed response shows beyond, or short of, the spec.

These never fail the contract. They are found by walking each JSON body
alongside the schema the spec documents for it (and each response's headers
alongside its documented headers), not by tightening or loosening the
contract schemas:

* ``undocumented_field``: a member the schema does not document (at any depth, with its type),
  or a response header that is neither documented nor standard HTTP (info);
* ``never_present``: an optional documented member that no response carried, or a nullable one that
  was null in every response (info; not one documented as null only, ``type: "null"``);
* ``enum_mismatch``: a value outside a field's ``x-known-values`` (warning; ``enum`` breaks the contract);
* ``deprecation``: ``Deprecation`` or ``Sunset`` headers (warning).

Free-form maps (``additionalProperties`` given explicitly) document no keys, so their keys are
never undocumented and never "never present".
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from contracts.spec.document import Spec
from contracts.spec.shape import Shape, shape_of
from contracts.transport.client import AnalysedExchange
from contracts.values.findings import Finding, Kind, Location, Severity, describe_value, json_pointer

STANDARD_HEADERS = frozenset(
    {
        "accept-ranges", "access-control-allow-credentials", "access-control-allow-headers",
        "access-control-allow-methods", "access-control-allow-origin", "access-control-expose-headers",
        "access-control-max-age", "age", "allow", "alt-svc", "cache-control", "connection", "content-encoding",
        "content-language", "content-length", "content-security-policy", "content-type", "date", "etag", "expires",
        "keep-alive", "last-modified", "location", "pragma", "referrer-policy", "retry-after", "server",
        "set-cookie", "strict-transport-security", "transfer-encoding", "vary", "via", "www-authenticate",
        "x-content-type-options", "x-frame-options", "x-xss-protection",
    }
)  # fmt: skip
"""Headers any HTTP server may send; they are not API drift."""

DEPRECATION_HEADERS = ("deprecation", "sunset")


@dataclass
class _Tally:
    """Per documented member: how many parent objects were seen, and how often it was there or null."""

    parents: int = 0
    present: int = 0
    null: int = 0
    nullable: bool = False
    required: bool = False


class _Observer:
    def __init__(self, vendor: str, spec: Spec) -> None:
        self.vendor = vendor
        self.spec = spec
        self.findings: list[Finding] = []
        self.tallies: dict[tuple[str, int, str], _Tally] = defaultdict(_Tally)

    def finding(
        self,
        item: AnalysedExchange,
        kind: Kind,
        severity: Severity,
        *,
        path: str,
        location: Location,
        expected: str,
        observed: str,
        status: int | None = None,
    ) -> None:
        self.findings.append(
            Finding(
                vendor=self.vendor,
                operation=item.exchange.operation or "",
                status_code=status if status is not None else item.exchange.status_code,
                kind=kind,
                severity=severity,
                path=path,
                location=location,
                expected=expected,
                observed=observed,
                check="drift_observation",
                source="observation",
                example=item.example(),
            )
        )

    def observe(self, item: AnalysedExchange) -> None:
        documented = item.documented
        if documented is None:
            return  # no response, no operation, or an undocumented status (a contract failure the checks report)
        self._headers(item, set(documented.headers))
        pointer = self.spec.response_schema_pointer(documented)
        if pointer is None or item.body is None:
            return
        self._walk(item, self.spec.schema_at(pointer), item.body, [])

    def _headers(self, item: AnalysedExchange, documented: set[str]) -> None:
        for name, value in item.exchange.response_headers.items():
            if name in DEPRECATION_HEADERS:
                self.finding(
                    item, Kind.DEPRECATION, Severity.WARNING, path=f"/{name}", location=Location.HEADER,
                    expected="no deprecation notice", observed=f"{name}: {value}",
                )  # fmt: skip
            elif name not in documented and name not in STANDARD_HEADERS and not name.startswith("x-schemathesis"):
                self.finding(
                    item, Kind.UNDOCUMENTED_FIELD, Severity.INFO, path=f"/{name}", location=Location.HEADER,
                    expected="only documented or standard headers", observed=f"{name}: {describe_value(value, 80)}",
                )  # fmt: skip

    def _walk(self, item: AnalysedExchange, schema: Any, value: Any, path: list[str | int]) -> None:
        if value is None:
            return
        shape = shape_of(self.spec, schema)
        status = item.exchange.status_code or 0
        if isinstance(value, dict) and shape.is_object and not shape.free_form:
            generic = json_pointer(["*" if isinstance(p, int) else p for p in path])
            for name, sub in shape.properties.items():
                tally = self.tallies[(item.exchange.operation or "", status, f"{generic}/{name}")]
                tally.parents += 1
                tally.required = name in shape.required
                member = shape_of(self.spec, sub)
                # A member documented as null only (``type: "null"``) promises no value: always null is no drift.
                tally.nullable = member.nullable and _documents_a_value(member)
                if name in value:
                    tally.present += 1
                    tally.null += value[name] is None
            for name, member in value.items():
                if name not in shape.properties:
                    self.finding(
                        item, Kind.UNDOCUMENTED_FIELD, Severity.INFO, path=json_pointer([*path, name]),
                        location=Location.BODY, expected="only documented members",
                        observed=f"{_json_type(member)} {describe_value(member, 80)}",
                    )  # fmt: skip
        if isinstance(value, dict) and shape.is_object:
            for name, member in value.items():
                if name in shape.properties:
                    self._walk(item, shape.properties[name], member, [*path, name])
        elif isinstance(value, list) and shape.items is not None:
            for index, element in enumerate(value):
                self._walk(item, shape.items, element, [*path, index])
        elif shape.known_values is not None and value not in shape.known_values:
            self.finding(
                item, Kind.ENUM_MISMATCH, Severity.WARNING, path=json_pointer(path), location=Location.BODY,
                expected=f"one of the documented values {describe_value(shape.known_values)}",
                observed=describe_value(value),
            )  # fmt: skip

    def never_present(self) -> Iterator[Finding]:
        for (operation, status, pointer), tally in sorted(self.tallies.items()):
            if tally.parents == 0:
                continue
            if tally.present == 0 and not tally.required:
                # A missing required member is a contract failure, reported by the checks per response.
                expected = "present in at least some responses (documented)"
                observed = f"absent from all {tally.parents} responses"
            elif tally.nullable and tally.null == tally.present and tally.present > 1:
                expected = "a value in at least some responses (documented, nullable)"
                observed = f"null in all {tally.present} responses"
            else:
                continue
            yield Finding(
                vendor=self.vendor,
                operation=operation,
                status_code=status,
                kind=Kind.NEVER_PRESENT,
                severity=Severity.INFO,
                path=pointer,
                location=Location.BODY,
                expected=expected,
                observed=observed,
                check="drift_observation",
                source="observation",
            )


def _documents_a_value(shape: Shape) -> bool:
    return bool(shape.types or shape.is_object or shape.items is not None or shape.enum or shape.known_values)


def _json_type(value: Any) -> str:
    return {dict: "object", list: "array", str: "string", bool: "boolean", int: "integer", float: "number"}.get(
        type(value), "null"
    )


def observe(vendor: str, spec: Spec, exchanges: Iterable[AnalysedExchange]) -> list[Finding]:
    """Drift observations over every exchange of a run (see the module docstring), each analysed by ``analyse``."""
    observer = _Observer(vendor, spec)
    for item in exchanges:
        observer.observe(item)
    return [*observer.findings, *observer.never_present()]
