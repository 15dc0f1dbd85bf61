"""PollyBot's create, list, update and delete facts, broken in the fake one at a time: each is named by the explicit
layer (a probe, scenario or walk unit) and, where a schema or a schemathesis check can see it, by the property layer
(the schemathesis unit of that operation) too, with the kind and the JSON pointer of what broke.

The facts and behaviours come from the create, list, update and delete pages (research-notes §2) and the Get Lead
page (seeds/001); see contracts/vendors/pollybot.py for the evidence of each.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from contracts.engine.context import load_spec, open_run
from contracts.engine.probes import run_guard
from contracts.engine.runner import plan_units, run_unit, run_vendor
from contracts.fakes._core import Defect, DropField, Quirk, ReplaceBody, ReplaceStatus, SetValue
from contracts.transport.targets import fake_target
from contracts.values.findings import Finding, Kind, Location, Severity
from contracts.vendors import get_vendor
from contracts.vendors.pollybot import CREATE, DELETE, LIFECYCLE, LIST, READ, UPDATE, WALKS

VENDOR = get_vendor("pollybot")
SPEC = load_spec(VENDOR)


@dataclass(frozen=True)
class Named:
    """A finding a unit must report: its kind, the status it was on, its pointer (None: any) and its operation."""

    unit: str
    kind: Kind
    status: int | None
    path: str | None
    operation: str
    severity: Severity | None = None
    location: Location | None = None


@dataclass(frozen=True)
class Breakage:
    name: str
    defect: Defect
    explicit: Named
    property: Named | None = None
    """None where no schema or schemathesis check can see the broken fact (a value, a merge, a total)."""


SMALL = {"max_examples": 3, "stateful_examples": 3, "stateful_steps": 3}
"""Limits that keep these tests quick."""


def run(defect: Defect | None, unit_id: str) -> list[Finding]:
    """The findings of one unit on the fake broken by ``defect``. A walk runs after the scenario that leaves three
    of the run's leads behind (as in a whole run), so that it has several pages to walk."""
    fake = VENDOR.fake(defects=[defect] if defect is not None else [])
    limits = SMALL
    target = fake_target(fake, base_url=SPEC.server_url).with_limits(**limits)
    ctx = open_run(VENDOR, target, spec=SPEC)
    try:
        run_guard(ctx)
        units = {unit.id: unit for unit in plan_units(VENDOR, SPEC)}
        if unit_id.startswith("walk:"):
            run_unit(ctx, units[SCENARIO_PAGES])
        return run_unit(ctx, units[unit_id]).findings
    finally:
        ctx.close()


def names(finding: Finding, named: Named) -> bool:
    return (
        finding.kind is named.kind
        and finding.operation == named.operation
        and (named.status is None or finding.status_code == named.status)
        and (named.path is None or finding.path == named.path)
        and (named.severity is None or finding.severity is named.severity)
        and (named.location is None or finding.location is named.location)
    )


SCENARIO_LIFECYCLE = f"scenario:{LIFECYCLE.name}"
SCENARIO_MERGE = "scenario:an update merges metadata and replaces its arrays"
SCENARIO_NULL = "scenario:null clears a field and leaves the others"
SCENARIO_NO_NAME = "scenario:a create without name is refused"
SCENARIO_BAD_STATUS = "scenario:a create with a status outside the enum is refused"
SCENARIO_DELETE_TWICE = "scenario:a deleted lead cannot be deleted again"
SCENARIO_PAGES = "scenario:search finds this run's new leads, two to a page"
SCENARIO_LIMIT = "scenario:a limit above 100 is refused"

BREAKAGES = [
    Breakage(
        "create answers 200 instead of 201",
        ReplaceStatus(operation=CREATE, status=201, new_status=200),
        Named(SCENARIO_LIFECYCLE, Kind.UNDOCUMENTED_STATUS, 200, "", CREATE, Severity.ERROR),
        Named(f"property:{CREATE}", Kind.UNDOCUMENTED_STATUS, 200, "", CREATE),
    ),
    Breakage(
        "create answers without the lead's id",
        DropField(operation=CREATE, status=201, pointer="/data/id"),
        Named(SCENARIO_LIFECYCLE, Kind.MISSING_FIELD, 201, "/data/id", CREATE, Severity.ERROR),
        Named(f"property:{CREATE}", Kind.MISSING_FIELD, 201, "/data/id", CREATE),
    ),
    Breakage(
        "update replaces metadata instead of merging it",
        Quirk(name="put_replaces_metadata"),
        Named(SCENARIO_MERGE, Kind.BEHAVIOR_MISMATCH, 200, "/data/metadata", UPDATE, Severity.ERROR),
    ),
    Breakage(
        "null does not clear a field",
        Quirk(name="null_ignored"),
        Named(SCENARIO_NULL, Kind.BEHAVIOR_MISMATCH, 200, "/data/phone", UPDATE, Severity.ERROR),
    ),
    Breakage(
        "update answers a status outside the enum",
        SetValue(operation=UPDATE, status=200, pointer="/data/status", value="archived"),
        Named(SCENARIO_LIFECYCLE, Kind.ENUM_MISMATCH, 200, "/data/status", UPDATE),
        Named(f"property:{UPDATE}", Kind.ENUM_MISMATCH, 200, "/data/status", UPDATE),
    ),
    Breakage(
        "delete does not delete",
        Quirk(name="delete_keeps_lead"),
        # No property layer: schemathesis's use_after_free (stateful unit, create -> delete -> read links) finds it
        # only when its exploration reaches that chain before it draws the known lead for a write (which the client
        # refuses, ending the stateful run): in one process it does, after other tests it does not.
        Named(SCENARIO_LIFECYCLE, Kind.BEHAVIOR_MISMATCH, 200, "", READ, Severity.ERROR, Location.STATUS),
    ),
    Breakage(
        "delete answers another message",
        SetValue(operation=DELETE, status=200, pointer="/message", value="Gone"),
        Named(SCENARIO_LIFECYCLE, Kind.BEHAVIOR_MISMATCH, 200, "/message", DELETE, Severity.ERROR),
    ),
    Breakage(
        "delete answers without deletedAt",
        DropField(operation=DELETE, status=200, pointer="/data/deletedAt"),
        Named(SCENARIO_LIFECYCLE, Kind.MISSING_FIELD, 200, "/data/deletedAt", DELETE, Severity.ERROR),
        Named(f"property:{DELETE}", Kind.MISSING_FIELD, 200, "/data/deletedAt", DELETE),
    ),
    Breakage(
        "a second delete answers 200",
        ReplaceStatus(operation=DELETE, status=404, new_status=200),
        Named(SCENARIO_DELETE_TWICE, Kind.BEHAVIOR_MISMATCH, 200, "", DELETE, Severity.WARNING, Location.STATUS),
    ),
    Breakage(
        "update of an unknown id answers an undocumented status",
        ReplaceStatus(operation=UPDATE, status=404, new_status=418),
        Named("probe:update unknown id", Kind.UNDOCUMENTED_STATUS, 418, "", UPDATE),
    ),
    Breakage(
        "delete of an unknown id answers another body",
        ReplaceBody(operation=DELETE, status=404, body={"unexpected": "shape"}),
        Named("probe:delete unknown id", Kind.ERROR_BODY_MISMATCH, 404, None, DELETE),
    ),
    Breakage(
        "delete of an unknown id names another id",
        SetValue(operation=DELETE, status=404, pointer="/details/leadId", value="lead_other1"),
        Named("probe:delete unknown id", Kind.BEHAVIOR_MISMATCH, 404, "/details/leadId", DELETE, Severity.WARNING),
    ),
    Breakage(
        "a create without name is accepted",
        Quirk(name="no_validation"),
        Named(SCENARIO_NO_NAME, Kind.BEHAVIOR_MISMATCH, 201, "", CREATE, Severity.ERROR, Location.STATUS),
        Named(f"property:{CREATE}", Kind.INPUT_NOT_REJECTED, 201, None, CREATE),
    ),
    Breakage(
        "a status outside the enum is accepted",
        Quirk(name="no_validation"),
        Named(SCENARIO_BAD_STATUS, Kind.BEHAVIOR_MISMATCH, 201, "", CREATE, Severity.WARNING, Location.STATUS),
    ),
    Breakage(
        "a limit above 100 is capped, not refused",
        Quirk(name="limit_capped"),
        Named(SCENARIO_LIMIT, Kind.BEHAVIOR_MISMATCH, 200, "", LIST, Severity.WARNING, Location.STATUS),
        Named(f"property:{LIST}", Kind.INPUT_NOT_REJECTED, 200, None, LIST),
    ),
    Breakage(
        "a page holds more leads than the limit",
        Quirk(name="page_over_limit"),
        Named(SCENARIO_PAGES, Kind.BEHAVIOR_MISMATCH, 200, "/data/leads/2", LIST, Severity.ERROR),
    ),
    Breakage(
        "wrong totalPages",
        SetValue(operation=LIST, status=200, pointer="/data/pagination/totalPages", value=99),
        Named(SCENARIO_PAGES, Kind.BEHAVIOR_MISMATCH, 200, "/data/pagination/totalPages", LIST, Severity.ERROR),
    ),
    Breakage(
        "hasNext wrong",
        SetValue(operation=LIST, status=200, pointer="/data/pagination/hasNext", value=False),
        Named(SCENARIO_PAGES, Kind.BEHAVIOR_MISMATCH, 200, "/data/pagination/hasNext", LIST, Severity.ERROR),
    ),
    Breakage(
        "hasNext not a boolean",
        SetValue(operation=LIST, status=200, pointer="/data/pagination/hasNext", value="yes"),
        Named(SCENARIO_PAGES, Kind.TYPE_MISMATCH, 200, "/data/pagination/hasNext", LIST),
        Named(f"property:{LIST}", Kind.TYPE_MISMATCH, 200, "/data/pagination/hasNext", LIST),
    ),
    Breakage(
        "list without pagination",
        DropField(operation=LIST, status=200, pointer="/data/pagination"),
        Named(SCENARIO_PAGES, Kind.MISSING_FIELD, 200, "/data/pagination", LIST, Severity.ERROR),
        Named(f"property:{LIST}", Kind.MISSING_FIELD, 200, "/data/pagination", LIST),
    ),
    Breakage(
        "a listed lead without its name (contested: a warning)",
        DropField(operation=LIST, status=200, pointer="/data/leads/0/name"),
        Named(SCENARIO_PAGES, Kind.MISSING_FIELD, 200, "/data/leads/0/name", LIST, Severity.WARNING),
        Named(f"property:{LIST}", Kind.MISSING_FIELD, 200, "/data/leads/0/name", LIST, Severity.WARNING),
    ),
]

WALK = f"walk:{WALKS[0].name}"
BREAKAGES += [
    Breakage(
        "a walked page holds more leads than the limit",
        Quirk(name="page_over_limit"),
        Named(WALK, Kind.BEHAVIOR_MISMATCH, 200, "/data/leads", LIST, Severity.ERROR),
    ),
    Breakage(
        "a walked page's totalPages is wrong",
        SetValue(operation=LIST, status=200, pointer="/data/pagination/totalPages", value=99),
        Named(WALK, Kind.BEHAVIOR_MISMATCH, 200, "/data/pagination/totalPages", LIST, Severity.ERROR),
    ),
    Breakage(
        "a walked page's total is wrong",
        SetValue(operation=LIST, status=200, pointer="/data/pagination/total", value=1000),
        Named(WALK, Kind.BEHAVIOR_MISMATCH, 200, "/data/pagination/total", LIST, Severity.ERROR),
    ),
    Breakage(
        "hasPrev wrong on every page",
        SetValue(operation=LIST, status=200, pointer="/data/pagination/hasPrev", value=True),
        Named(WALK, Kind.BEHAVIOR_MISMATCH, 200, "/data/pagination/hasPrev", LIST, Severity.ERROR),
    ),
    Breakage(
        "search does not match emails: the lead the walk created is not listed",
        Quirk(name="search_ignores_email"),
        Named(WALK, Kind.BEHAVIOR_MISMATCH, 200, "/data/leads", LIST, Severity.ERROR),
    ),
    Breakage(
        "the status filter is not applied",
        Quirk(name="status_filter_ignored"),
        Named(WALK, Kind.BEHAVIOR_MISMATCH, 200, "/data/leads/0/status", LIST, Severity.ERROR),
    ),
]

EXPLICIT = [pytest.param(b, id=b.name) for b in BREAKAGES]
PROPERTY = [pytest.param(b, id=b.name) for b in BREAKAGES if b.property is not None]


@pytest.mark.parametrize("breakage", EXPLICIT)
def test_the_explicit_layer_names_the_broken_fact(breakage):
    findings = run(breakage.defect, breakage.explicit.unit)
    assert any(names(f, breakage.explicit) for f in findings), [f.headline() for f in findings]


@pytest.mark.parametrize("breakage", PROPERTY)
def test_the_property_layer_names_the_broken_fact(breakage):
    assert breakage.property is not None
    findings = run(breakage.defect, breakage.property.unit)
    assert any(names(f, breakage.property) for f in findings), [f.headline() for f in findings]


def test_the_unbroken_fake_passes_the_whole_run_and_cleans_up_what_it_created():
    result = run_vendor(VENDOR, fake_target(VENDOR.fake(), base_url=SPEC.server_url).with_limits(**SMALL))
    assert result.status == "pass", [f.headline() for f in result.contract_failures]
    # Not even a warning: every breakage above is named against a unit that is clean when nothing is broken.
    assert [f.headline() for f in result.findings if f.severity is not Severity.INFO] == []
    assert not [outcome.name for outcome in result.outcomes if outcome.skipped]
    assert result.cleanup.not_cleaned == ()
    assert result.cleanup.deleted > 0
