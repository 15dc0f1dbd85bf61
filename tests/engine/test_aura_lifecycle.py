"""Aura's list, create and update, broken one documented fact at a time in the fake, named by the suite.

Each breakage is run through the explicit unit that checks the fact (a walk or a scenario) and, where a single
response can show it, through the schemathesis property unit of the operation. Breakages that only a sequence of
requests can show (a cursor that loops, a repeated item, a page over the limit asked for, notes appended instead
of replaced) are named by the explicit layer alone; the test says so for each.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from contracts.engine.context import load_spec, open_run
from contracts.engine.probes import run_guard
from contracts.engine.runner import plan_units, run_unit
from contracts.fakes._core import Defect, DropField, Quirk, ReplaceStatus, SetValue
from contracts.transport.targets import fake_target
from contracts.values.findings import Finding, Kind, Location, Severity
from contracts.vendors import get_vendor
from contracts.vendors.aura import CREATE, LIST, UPDATE

AURA = get_vendor("aura")
SPEC = load_spec(AURA)
WALK = "walk:new leads two a page, the created one among them"
LIFECYCLE = "scenario:create, read back, update one field, read shows only that change"
NOTES = "scenario:notes replaces the whole array"
NO_EMAIL = "scenario:a create without email is refused"


@dataclass(frozen=True)
class Named:
    """A finding that must name the broken fact: its kind, status, where, and (when known) its severity."""

    kind: Kind
    status: int
    path: str
    location: Location = Location.BODY
    operation: str = LIST
    severity: Severity = Severity.ERROR


@dataclass(frozen=True)
class Breakage:
    name: str
    defect: Defect
    explicit: str
    """The walk or scenario unit that must name it."""
    named: Named
    prop: Named | None
    """What the property unit of ``named.operation`` must find; None where one response cannot show it."""


def _run(defect: Defect, unit_id: str) -> list[Finding]:
    target = fake_target(AURA.fake(defects=[defect]), base_url=SPEC.server_url).with_limits(max_examples=3)
    ctx = open_run(AURA, target, spec=SPEC)
    try:
        run_guard(ctx)
        unit = next(unit for unit in plan_units(AURA, SPEC) if unit.id == unit_id)
        outcome = run_unit(ctx, unit)
        assert outcome.skipped is None
        return outcome.findings
    finally:
        ctx.close()


def _names(finding: Finding, named: Named) -> bool:
    return (
        finding.kind is named.kind
        and finding.status_code == named.status
        and finding.path == named.path
        and finding.location is named.location
        and finding.operation == named.operation
        and finding.severity is named.severity
        and finding.evidence is not None
        and bool(finding.evidence.quote)
    )


def _item_id(index: int) -> str:
    return f"/data/{index}/id"


BREAKAGES = [
    Breakage(
        "cursor loops back to the first page",
        Quirk(name="cursor_loops"),
        WALK,
        Named(Kind.BEHAVIOR_MISMATCH, 200, _item_id(0)),
        None,  # every page alone is a valid page
    ),
    Breakage(
        "next page repeats an item",
        Quirk(name="repeat_item"),
        WALK,
        Named(Kind.BEHAVIOR_MISMATCH, 200, _item_id(0)),
        None,
    ),
    Breakage(
        "page over the limit",
        Quirk(name="page_over_limit"),
        WALK,
        Named(Kind.BEHAVIOR_MISMATCH, 200, "/data"),
        None,  # the spec caps a page at 100 (the documented maximum), not at the limit a request asked for
    ),
    Breakage(
        "has_more true with no cursor",
        Quirk(name="has_more_without_cursor"),
        WALK,
        # The walk's pages are checked against the spec's pagination rule (has_more true needs a cursor).
        Named(Kind.UNEXPECTED_NULL, 200, "/pagination/next_cursor"),
        Named(Kind.UNEXPECTED_NULL, 200, "/pagination/next_cursor"),
    ),
    Breakage(
        "page without has_more",
        DropField(operation=LIST, status=200, pointer="/pagination/has_more"),
        WALK,
        Named(Kind.MISSING_FIELD, 200, "/pagination/has_more"),
        Named(Kind.MISSING_FIELD, 200, "/pagination/has_more"),
    ),
    Breakage(
        "limit typed as a number (the documented string refused)",
        Quirk(name="limit_typed_as_number"),
        WALK,
        Named(Kind.BEHAVIOR_MISMATCH, 400, "", Location.STATUS),
        # schemathesis sends string limits too, but a refused one is only the advisory input_not_rejected, which an
        # unbroken fake also earns for a cursor it never gave: the property layer cannot tell this breakage apart.
        None,
    ),
    Breakage(
        "PATCH appends notes instead of replacing them",
        Quirk(name="notes_appended"),
        NOTES,
        Named(Kind.BEHAVIOR_MISMATCH, 200, "/data/notes/1", operation=UPDATE),
        None,  # one update's answer is a valid lead either way
    ),
    Breakage(
        "a created lead's status is not new",
        SetValue(operation=CREATE, status=201, pointer="/data/status", value="contacted"),
        LIFECYCLE,
        Named(Kind.BEHAVIOR_MISMATCH, 201, "/data/status", operation=CREATE),
        Named(Kind.ENUM_MISMATCH, 201, "/data/status", operation=CREATE),
    ),
    Breakage(
        "a create without email is accepted",
        ReplaceStatus(operation=CREATE, status=400, new_status=201),
        NO_EMAIL,
        Named(Kind.BEHAVIOR_MISMATCH, 201, "", Location.STATUS, operation=CREATE),
        # A 201 carrying the error envelope: the created lead's body is broken (success false).
        Named(Kind.ENUM_MISMATCH, 201, "/success", operation=CREATE),
    ),
]


@pytest.mark.parametrize("breakage", BREAKAGES, ids=lambda breakage: breakage.name)
def test_the_explicit_unit_names_the_broken_fact(breakage: Breakage) -> None:
    findings = _run(breakage.defect, breakage.explicit)
    assert any(_names(finding, breakage.named) for finding in findings), [f.headline() for f in findings]


@pytest.mark.parametrize("breakage", [b for b in BREAKAGES if b.prop is not None], ids=lambda breakage: breakage.name)
def test_the_property_unit_names_the_broken_fact(breakage: Breakage) -> None:
    assert breakage.prop is not None
    findings = _run(breakage.defect, f"property:{breakage.prop.operation}")
    assert any(_names(finding, breakage.prop) for finding in findings), [f.headline() for f in findings]


@pytest.mark.parametrize("breakage", [b for b in BREAKAGES if b.prop is None], ids=lambda breakage: breakage.name)
def test_what_one_response_cannot_show_is_left_to_the_explicit_layer(breakage: Breakage) -> None:
    """The property unit of the operation finds no contract failure for a breakage only a sequence shows."""
    findings = _run(breakage.defect, f"property:{breakage.named.operation}")
    assert [f.headline() for f in findings if f.is_contract_failure] == []


def test_a_cursor_that_loops_never_ends_the_walk() -> None:
    findings = _run(Quirk(name="cursor_loops"), WALK)
    repeated = {f.observed.split(" again")[0] for f in findings if f.expected == "each item once over the whole walk"}
    assert len(repeated) >= 3  # every lead of the first pages comes round again


def test_the_unbroken_walks_and_scenarios_find_nothing() -> None:
    for unit_id in (WALK, "walk:the source filter", LIFECYCLE, NOTES, NO_EMAIL):
        assert _run(Quirk(name="none"), unit_id) == [], unit_id
