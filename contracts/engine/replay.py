"""Replaying recorded traffic (cassettes): the current spec against the vendor's real answers, and the fake
against the recorded shapes. No key and no network is needed.

* ``check_recorded``: every recorded response of a documented operation is checked with ``check_response``
  against the spec as it is now (matched to its operation again, so an edited path counts), and graded by the
  evidence like a run's findings; the drift observer runs over them too (drift never fails a replay). A spec
  edit that the vendor's recorded answers contradict fails, naming the exchange.
* ``compare_fake``: each recorded request is sent, in order, to the vendor's fake (``answer``), and the fake's
  answer compared with the recorded one by shape: status code, content type, and for JSON bodies every member's
  presence and JSON type at any depth (array items by their first element; the keys of free-form maps are data).
  A difference is a ``fake_mismatch`` finding (an error). Ids the fake makes up where the vendor made up others
  (a created lead's id) are mapped, so the recorded follow-up requests reach the fake's record.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, replace
from typing import Any

from contracts.engine.grading import Grader
from contracts.engine.observe import observe
from contracts.spec.conformance import CheckContext, ObservedResponse, check_response
from contracts.spec.document import Spec
from contracts.spec.shape import shape_of
from contracts.transport.cassette import Cassette
from contracts.transport.client import Exchange, analyse
from contracts.values.findings import Finding, Kind, Location, Severity, json_pointer
from contracts.values.model import Vendor

MIN_MAPPED_ID = 8
"""Shortest recorded value mapped to the fake's own (shorter ones are too likely to be ordinary words)."""


@dataclass(frozen=True)
class ReplayFinding:
    """A finding about one recorded exchange: which cassette, which entry."""

    cassette: str
    index: int
    exchange: Exchange
    finding: Finding

    def line(self) -> str:
        exchange, finding = self.exchange, self.finding
        where = f"{finding.location}:{finding.path or '/'}"
        return (
            f"{self.cassette}#{self.index} {exchange.method} {exchange.path} -> {exchange.status_code}: "
            f"{finding.severity} {finding.kind} at {where}: expected {finding.expected}; observed {finding.observed}"
        )


def _current(spec: Spec, exchange: Exchange) -> Exchange:
    operation = spec.match(exchange.method, exchange.path.split("?")[0])
    return replace(exchange, operation=operation.label if operation else None)


def check_recorded(vendor: Vendor, spec: Spec, cassette: Cassette) -> tuple[list[ReplayFinding], list[Finding], int]:
    """(contract findings per exchange, drift observations, responses checked) of ``cassette`` against ``spec``."""
    grader = Grader(spec, vendor)
    findings: list[ReplayFinding] = []
    exchanges = [_current(spec, exchange) for exchange in cassette.exchanges]
    checked = 0
    for index, exchange in enumerate(exchanges):
        operation = spec.match(exchange.method, exchange.path.split("?")[0])
        if operation is None or exchange.status_code is None:
            continue
        response = ObservedResponse(exchange.status_code, exchange.response_headers, exchange.content)
        if index in cassette.truncated:  # body left out: its status and headers are still checked
            response = ObservedResponse(exchange.status_code, exchange.response_headers, b"")
        ctx = CheckContext(
            vendor=vendor.name, spec=spec, operation=operation, source=exchange.source, example=exchange.example()
        )
        found = check_response(ctx, response)
        if index in cassette.truncated:
            found = [f for f in found if f.location is not Location.BODY and f.kind is not Kind.CONTENT_TYPE_MISMATCH]
        checked += 1
        findings.extend(
            ReplayFinding(str(cassette.path), index, exchange, graded) for graded in grader.grade_all(found)
        )
    complete = [e for i, e in enumerate(exchanges) if i not in cassette.truncated]
    drift = [grader.cite(finding) for finding in observe(vendor.name, spec, analyse(spec, complete))]
    return findings, drift, checked


def _json(content: bytes) -> Any:
    try:
        return json.loads(content) if content else None
    except ValueError:
        return None


def _type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object"


def shape_differences(
    recorded: Any, answered: Any, *, free_form: Callable[[tuple[str, ...]], bool], path: tuple[str, ...] = ()
) -> Iterator[tuple[str, str, str]]:
    """(pointer, expected, observed) wherever ``answered`` differs in shape from ``recorded``."""
    kind, other = _type(recorded), _type(answered)
    if kind != other:
        yield json_pointer(path), f"{kind} (as recorded)", other
        return
    if kind == "object":
        if free_form(path):
            return
        for name in sorted(set(recorded) | set(answered)):
            if name not in answered:
                yield json_pointer([*path, name]), "the member (recorded)", "absent in the fake's answer"
            elif name not in recorded:
                yield json_pointer([*path, name]), "no such member (not recorded)", "present in the fake's answer"
            else:
                yield from shape_differences(recorded[name], answered[name], free_form=free_form, path=(*path, name))
    elif kind == "array" and recorded and answered:
        yield from shape_differences(recorded[0], answered[0], free_form=free_form, path=(*path, "0"))


def _free_form(spec: Spec, schema_pointer: str | None) -> Callable[[tuple[str, ...]], bool]:
    """Whether the body member at a path is a free-form map in the documented schema (its keys are data)."""

    def check(path: tuple[str, ...]) -> bool:
        if schema_pointer is None:
            return False
        schema: Any = spec.resolve_pointer(schema_pointer)
        for part in path:
            shape = shape_of(spec, schema)
            schema = shape.items if part.isdigit() and shape.items is not None else shape.properties.get(part)
            if schema is None:
                return False
        return shape_of(spec, schema).free_form

    return check


def _map_ids(recorded: Any, answered: Any, ids: dict[str, str]) -> None:
    """Remember the fake's value for each recorded string that differs at the same place (made-up ids)."""
    if isinstance(recorded, dict) and isinstance(answered, dict):
        for name in recorded.keys() & answered.keys():
            _map_ids(recorded[name], answered[name], ids)
    elif isinstance(recorded, list) and isinstance(answered, list):
        for left, right in zip(recorded, answered, strict=False):
            _map_ids(left, right, ids)
    elif (
        isinstance(recorded, str)
        and isinstance(answered, str)
        and recorded != answered
        and len(recorded) >= MIN_MAPPED_ID
        and recorded not in ids
    ):
        ids[recorded] = answered


def _mapped(text: str, ids: dict[str, str]) -> str:
    for recorded in sorted(ids, key=len, reverse=True):
        text = text.replace(recorded, ids[recorded])
    return text


def _mismatch(
    vendor: Vendor,
    cassette: Cassette,
    index: int,
    exchange: Exchange,
    label: str,
    pointer: str,
    expected: str,
    observed: str,
    location: Location,
) -> ReplayFinding:
    finding = Finding(
        vendor=vendor.name,
        operation=label,
        status_code=exchange.status_code,
        kind=Kind.FAKE_MISMATCH,
        severity=Severity.ERROR,
        path=pointer,
        expected=expected,
        observed=observed,
        check="replay_fake_shape",
        location=location,
        source=f"replay:{exchange.source}",
        example=exchange.example(),
    )
    return ReplayFinding(str(cassette.path), index, exchange, finding)


def compare_fake(
    vendor: Vendor,
    spec: Spec,
    cassette: Cassette,
    answer: Callable[[Exchange], ObservedResponse],
    *,
    ids: Mapping[str, str] | None = None,
) -> tuple[list[ReplayFinding], int]:
    """(fake_mismatch findings, requests replayed): each recorded request (with a response, not a retried one)
    sent to the fake by ``answer``, in order, its answer compared with the recorded one by shape. ``ids`` maps
    the recorded records' ids (the lead the run read) to the fake's own; ids made up on the way are added."""
    findings: list[ReplayFinding] = []
    mapped: dict[str, str] = dict(ids or {})
    replayed = 0
    for index, exchange in enumerate(cassette.exchanges):
        if exchange.status_code is None or exchange.retried:
            continue
        request = replace(
            exchange,
            path=_mapped(exchange.path, mapped),
            url=_mapped(exchange.url, mapped),
            request_body=None
            if exchange.request_body is None
            else _mapped(exchange.request_body.decode(), mapped).encode(),
        )
        response = answer(request)
        replayed += 1
        operation = spec.match(exchange.method, exchange.path.split("?")[0])
        label = operation.label if operation else f"{exchange.method} (undocumented)"

        def mismatch(pointer: str, expected: str, observed: str, location: Location) -> None:
            findings.append(_mismatch(vendor, cassette, index, exchange, label, pointer, expected, observed, location))  # noqa: B023

        if response.status_code != exchange.status_code:
            mismatch("", f"status {exchange.status_code} (as recorded)", str(response.status_code), Location.STATUS)
            continue
        recorded_type = ObservedResponse(exchange.status_code, exchange.response_headers, b"").media_type
        if response.media_type != recorded_type:
            mismatch("/content-type", f"{recorded_type or '(none)'} (as recorded)", response.media_type or "(none)",
                     Location.HEADER)  # fmt: skip
            continue
        if index in cassette.truncated:
            continue
        recorded, answered = _json(exchange.content), _json(response.content)
        _map_ids(recorded, answered, mapped)
        documented = operation.response_for(exchange.status_code) if operation else None
        pointer = spec.response_schema_pointer(documented) if documented is not None else None
        for path, expected, observed in shape_differences(recorded, answered, free_form=_free_form(spec, pointer)):
            mismatch(path, expected, observed, Location.BODY)
    return findings, replayed
