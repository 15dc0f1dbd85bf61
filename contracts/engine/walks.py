"""List operations, walked page by page to their end (``Walk``s written as data).

Each page is one request, checked against the spec like any other response; the walk then checks what the docs
promise of the pages together: none holds more than the limit asked for, no item comes twice, the walk ends;
with page numbers, the page echo, ``total``, ``totalPages``, ``hasNext`` and ``hasPrev`` agree with what the walk
found; each filter returns only matching items; a record the walk created first shows up. Every deviation is a
``behavior_mismatch`` naming the page's request and the pointer in its body, graded by the walk's evidence.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import jsonpointer

from contracts.engine.context import RunContext
from contracts.engine.outcome import record_fault
from contracts.engine.scenarios import behaviour_finding, run_step, steps_missing
from contracts.spec.conformance import CheckContext, check_response
from contracts.transport.client import Exchange
from contracts.values.errors import UnsafeRequest, VendorFault
from contracts.values.findings import Finding, Location, describe_value
from contracts.values.model import Credentials, ItemFilter, Paging, Walk
from contracts.values.results import Outcome

_MISSING = object()


@dataclass
class _Page:
    exchange: Exchange
    body: Any
    items: list[Any]


@dataclass
class _Walked:
    """What one walk over the list (with one query) found."""

    pages: list[_Page] = field(default_factory=list)
    ids: list[Any] = field(default_factory=list)
    ended: bool = False
    stopped: str | None = None
    """Why the walk stopped before its end (no findings on totals are made then)."""


def run_walk(ctx: RunContext, walk: Walk) -> Outcome:
    outcome = Outcome(name=f"walk:{walk.name}")
    steps = [walk.create] if walk.create is not None else []
    read_needs = ctx.vendor.needs_of(walk.operation, is_write=False)
    reason = steps_missing(ctx, steps, walk.needs | read_needs, walk.variables)
    if reason is not None:
        outcome.skipped = reason
        return outcome
    saved: dict[str, Any] = {}
    try:
        if walk.create is not None:
            exchange, findings = run_step(ctx, walk.create, source=outcome.name, saved=saved)
            outcome.cases += 1
            outcome.findings.extend(findings)
            if exchange.status_code not in walk.create.expect_status or "created_id" not in saved:
                outcome.notes.append(f"stopped after {walk.create.operation}: the walk looks for what it creates")
                return outcome
        walked = _walk_pages(ctx, walk, outcome, saved, extra={})
        outcome.findings.extend(_check_walk(ctx, walk, walked, outcome.name, saved))
        for item_filter in walk.filters:
            query = {name: str(ctx.fill(value, saved)) for name, value in item_filter.query.items()}
            filtered = _walk_pages(ctx, walk, outcome, saved, extra=query)
            outcome.findings.extend(_check_pages(ctx, walk, filtered, outcome.name))
            outcome.findings.extend(_check_filter(ctx, walk, item_filter, filtered, outcome.name, saved))
    except (VendorFault, UnsafeRequest) as fault:
        record_fault(outcome, fault, vendor=ctx.vendor.name, operation=walk.operation)
    return outcome


def _walk_pages(
    ctx: RunContext, walk: Walk, outcome: Outcome, saved: Mapping[str, Any], *, extra: Mapping[str, str]
) -> _Walked:
    operation = ctx.spec.operation(walk.operation)
    base = {name: str(ctx.fill(value, saved)) for name, value in walk.query.items()}
    base = {**base, **extra, walk.limit_param: str(walk.limit)}
    walked = _Walked()
    cursor: str | None = None
    for number in range(1, walk.max_pages + 1):
        query = dict(base)
        if walk.paging is Paging.PAGE:
            query[walk.page_param] = str(number)
        elif cursor is not None:
            query[walk.cursor_param] = cursor
        exchange = ctx.client.request(
            operation.method,
            operation.path,
            headers=ctx.credential_headers(Credentials.VALID),
            params=query,
            source=outcome.name,
        )
        outcome.cases += 1
        check_ctx = CheckContext(
            vendor=ctx.vendor.name, spec=ctx.spec, operation=operation, source=outcome.name, example=exchange.example()
        )
        outcome.findings.extend(check_response(check_ctx, exchange.response))
        if exchange.status_code != 200:
            finding = behaviour_finding(
                ctx, exchange, "", "200", str(exchange.status_code), source=outcome.name, location=Location.STATUS
            )
            outcome.findings.append(finding)
            walked.stopped = f"page {number} answered {exchange.status_code}"
            return walked
        try:
            body = exchange.json()
        except ValueError:
            walked.stopped = f"page {number} is not JSON"
            return walked
        items = jsonpointer.resolve_pointer(body, walk.items, None)
        if not isinstance(items, list):
            walked.stopped = f"page {number} has no list at {walk.items}"  # the spec check names it
            return walked
        walked.pages.append(_Page(exchange, body, items))
        walked.ids.extend(jsonpointer.resolve_pointer(item, walk.item_id, None) for item in items)
        if walk.paging is Paging.PAGE:
            if not items or not _value(body, walk.has_next, default=len(items) >= walk.limit):
                walked.ended = True
                return walked
        else:
            more = _value(body, walk.has_more, default=None)
            cursor = _value(body, walk.next_cursor, default=None)
            if more and not (isinstance(cursor, str) and cursor):
                # More pages promised, and no way to ask for them.
                pointer = walk.next_cursor or walk.items
                outcome.findings.append(
                    behaviour_finding(
                        ctx,
                        exchange,
                        pointer,
                        "a cursor to the next page (has_more is true)",
                        describe_value(cursor) if cursor is not None else "null or absent",
                        source=outcome.name,
                    )
                )
                walked.stopped = f"page {number} promises more pages and gives no cursor"
                return walked
            if not more:
                walked.ended = True
                return walked
    walked.stopped = f"not at its end after {walk.max_pages} pages"
    outcome.notes.append(f"{walk.name}: {walked.stopped}; totals not compared")
    return walked


def _value(body: Any, pointer: str | None, *, default: Any) -> Any:
    if pointer is None:
        return default
    return jsonpointer.resolve_pointer(body, pointer, default)


def _check_walk(
    ctx: RunContext, walk: Walk, walked: _Walked, source: str, saved: Mapping[str, Any]
) -> Iterator[Finding]:
    yield from _check_pages(ctx, walk, walked, source)
    created = saved.get("created_id")
    if created is not None and walked.ended and created not in walked.ids:
        last = walked.pages[-1] if walked.pages else None
        if last is not None:
            yield behaviour_finding(
                ctx,
                last.exchange,
                walk.items,
                f"the record this run created ({describe_value(created)}) on some page of the walk",
                f"{len(walked.ids)} items over {len(walked.pages)} pages, without it",
                source=source,
            )


def _check_pages(ctx: RunContext, walk: Walk, walked: _Walked, source: str) -> Iterator[Finding]:
    """Page sizes, repeats (a cursor that loops repeats items), and (page numbers) the pagination object against
    the walk. A walk not at its end after ``max_pages`` is no finding: a live account may just hold many leads."""
    seen: set[str] = set()
    for number, page in enumerate(walked.pages, start=1):
        if len(page.items) > walk.limit:
            yield behaviour_finding(
                ctx,
                page.exchange,
                walk.items,
                f"at most {walk.limit} items (the limit asked for)",
                f"{len(page.items)} items",
                source=source,
            )
        for index, item in enumerate(page.items):
            item_id = jsonpointer.resolve_pointer(item, walk.item_id, None)
            key = repr(item_id)
            if item_id is not None and key in seen:
                yield behaviour_finding(
                    ctx,
                    page.exchange,
                    f"{walk.items}/{index}{walk.item_id}",
                    "each item once over the whole walk",
                    f"{describe_value(item_id)} again on page {number}",
                    source=source,
                )
            seen.add(key)
        if walk.paging is Paging.PAGE:
            yield from _check_page_numbers(ctx, walk, walked, number, page, source)


def _check_page_numbers(
    ctx: RunContext, walk: Walk, walked: _Walked, number: int, page: _Page, source: str
) -> Iterator[Finding]:
    def mismatch(pointer: str, expected: Any, observed: Any) -> Finding:
        return behaviour_finding(
            ctx, page.exchange, pointer, describe_value(expected), describe_value(observed), source=source
        )

    if walk.page is not None:
        echoed = _value(page.body, walk.page, default=_MISSING)
        if echoed is not _MISSING and echoed != number:
            yield mismatch(walk.page, number, echoed)
    if not walked.ended or walk.total is None:
        return
    found = sum(len(each.items) for each in walked.pages)
    total = _value(page.body, walk.total, default=_MISSING)
    if total is _MISSING or not isinstance(total, int):
        return  # the spec check names a missing or mistyped total
    if total != found:
        yield mismatch(walk.total, found, total)
    pages = math.ceil(found / walk.limit) if found else 0
    checks = []
    if walk.total_pages is not None:
        checks.append((walk.total_pages, (pages, max(pages, 1)) if not found else (pages,)))
    if walk.has_next is not None:
        # The pages that held items: a page after the last of them (an empty one) should not have been promised.
        filled = max((index for index, each in enumerate(walked.pages, start=1) if each.items), default=0)
        checks.append((walk.has_next, (number < filled,)))
    if walk.has_prev is not None:
        checks.append((walk.has_prev, (number > 1,)))
    for pointer, allowed in checks:
        observed = _value(page.body, pointer, default=_MISSING)
        if observed is not _MISSING and observed not in allowed:
            yield mismatch(pointer, allowed[0], observed)


def _check_filter(
    ctx: RunContext, walk: Walk, item_filter: ItemFilter, walked: _Walked, source: str, saved: Mapping[str, Any]
) -> Iterator[Finding]:
    wanted = str(ctx.fill(item_filter.value, saved))
    pointers = item_filter.pointer.split("|")
    for page in walked.pages:
        for index, item in enumerate(page.items):
            values = [jsonpointer.resolve_pointer(item, pointer, None) for pointer in pointers]
            if item_filter.contains:
                matched = any(isinstance(value, str) and wanted.lower() in value.lower() for value in values)
            else:
                matched = any(value == wanted for value in values)
            if not matched:
                asked = "&".join(f"{name}={value}" for name, value in item_filter.query.items())
                how = "containing" if item_filter.contains else "equal to"
                yield behaviour_finding(
                    ctx,
                    page.exchange,
                    f"{walk.items}/{index}{pointers[0]}",
                    f"only items whose {' or '.join(pointers)} is {how} {wanted!r} (asked {asked})",
                    describe_value(values[0] if len(values) == 1 else values),
                    source=source,
                )
