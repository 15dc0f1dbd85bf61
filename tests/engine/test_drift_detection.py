"""Proving the suite catches drift: break one documented fact at a time in a fake, expect the right finding.

The fields to break are found in each vendor's spec (a required string, a uuid, an email, a date-time,
an enum...), so the same generic cases run for every vendor. Each broken fake is checked twice: by the
explicit probes and by the schemathesis property run of the same operation. The unbroken fakes pass
with zero contract failures.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from contracts.engine.context import load_spec, open_run
from contracts.engine.probes import run_guard
from contracts.engine.runner import plan_units, run_unit, run_vendor
from contracts.fakes._core import (
    AcceptAnyKey,
    AddHeaders,
    Defect,
    DropField,
    DropHeader,
    Quirk,
    ReplaceBody,
    ReplaceContentType,
    ReplaceStatus,
    SetValue,
)
from contracts.spec.shape import Member, iter_members
from contracts.transport.targets import fake_target
from contracts.values.findings import Kind, Location, Severity
from contracts.values.model import Vendor
from contracts.vendors import VENDORS, get_vendor

BAD_FORMAT_VALUES = {"uuid": "lead_1ed7d637", "email": "not-an-email", "date-time": "2024-01-01 10:00"}


@dataclass(frozen=True)
class Breakage:
    """One documented fact broken in a fake, and the finding that must name it."""

    name: str
    defect: Defect
    kind: Kind
    status: int
    path: str | None
    probe: str
    """The explicit probe that must catch it (the property run of the operation must catch it too)."""
    location: Location | None = None


def _members(vendor: Vendor) -> list[Member]:
    spec = load_spec(vendor)
    documented = spec.operation(vendor.read_operation).response_for(200)
    assert documented is not None
    pointer = spec.response_schema_pointer(documented)
    assert pointer is not None
    return list(iter_members(spec, spec.schema_at(pointer)))


def _first(members: list[Member], predicate: Any) -> Member | None:
    return next((member for member in members if member.required and predicate(member)), None)


def _required_integer_header(vendor: Vendor) -> str | None:
    """A header the read's 200 requires, typed integer (a documented X-RateLimit-* header), if there is one."""
    spec = load_spec(vendor)
    documented = spec.operation(vendor.read_operation).response_for(200)
    assert documented is not None
    return next(
        (
            name
            for name, header in documented.headers.items()
            if header.get("required") and spec.schema_types(documented.header_schemas[name]) == ("integer",)
        ),
        None,
    )


def breakages(vendor: Vendor) -> list[Breakage]:
    """The breakages that apply to ``vendor``, derived from its spec."""
    read = vendor.read_operation
    members = _members(vendor)
    cases: list[Breakage] = []
    header = _required_integer_header(vendor)
    if header is not None:
        cases += [
            Breakage(
                "missing required header",
                DropHeader(operation=read, status=200, name=header),
                Kind.MISSING_FIELD,
                200,
                f"/{header}",
                "known lead",
                Location.HEADER,
            ),
            Breakage(
                "non-integer header",
                AddHeaders(operation=read, status=200, headers={header: "plenty"}),
                Kind.TYPE_MISMATCH,
                200,
                f"/{header}",
                "known lead",
                Location.HEADER,
            ),
        ]

    def body(name: str, member: Member | None, kind: Kind, **change: Any) -> None:
        """Break ``member`` of the 200 body: drop it (no ``value``) or set it to ``value``."""
        if member is None:
            return
        defect: Defect
        if "value" in change:
            defect = SetValue(operation=read, status=200, pointer=member.pointer, value=change["value"])
        else:
            defect = DropField(operation=read, status=200, pointer=member.pointer)
        cases.append(Breakage(name, defect, kind, 200, member.pointer, "known lead"))

    plain = _first(members, lambda m: m.shape.types == {"string"} and not m.shape.nullable and not m.shape.formats)
    assert plain is not None, f"{vendor.name}: the spec documents no required plain string to break"
    body("missing required field", plain, Kind.MISSING_FIELD)
    body("null in a non-nullable field", plain, Kind.UNEXPECTED_NULL, value=None)
    body("wrong type", plain, Kind.TYPE_MISMATCH, value=12345)
    for fmt, bad in BAD_FORMAT_VALUES.items():
        body(f"bad {fmt}", _first(members, lambda m, fmt=fmt: fmt in m.shape.formats), Kind.FORMAT_MISMATCH, value=bad)
    enum = _first(members, lambda m: bool(m.shape.enum))
    body("enum value outside the list", enum, Kind.ENUM_MISMATCH, value="not_a_documented_value")
    cases += [
        Breakage(
            "undocumented status",
            ReplaceStatus(operation=read, status=404, new_status=418),
            Kind.UNDOCUMENTED_STATUS,
            418,
            "",
            "unknown id",
        ),
        Breakage(
            "wrong error body",
            ReplaceBody(operation=read, status=404, body={"unexpected": "shape"}),
            Kind.ERROR_BODY_MISMATCH,
            404,
            None,
            "unknown id",
        ),
        Breakage("auth not enforced", AcceptAnyKey(), Kind.AUTH_NOT_ENFORCED, 200, None, "missing key"),
        Breakage(
            "wrong content type",
            ReplaceContentType(operation=read, status=200, content_type="text/plain"),
            Kind.CONTENT_TYPE_MISMATCH,
            200,
            "/content-type",
            "known lead",
        ),
    ]
    return cases


CASES = [
    pytest.param(vendor, breakage, id=f"{vendor.name}-{breakage.name}")
    for vendor in VENDORS
    for breakage in breakages(vendor)
]


def _run(vendor: Vendor, defect: Defect, unit_id: str) -> list[Any]:
    spec = load_spec(vendor)
    target = fake_target(vendor.fake(defects=[defect]), base_url=spec.server_url).with_limits(
        max_examples=3, stateful_examples=3
    )
    ctx = open_run(vendor, target, spec=spec)
    try:
        run_guard(ctx)
        unit = next(unit for unit in plan_units(vendor, spec) if unit.id == unit_id)
        return run_unit(ctx, unit).findings
    finally:
        ctx.close()


def _matches(finding: Any, breakage: Breakage) -> bool:
    """The broken fact, named, with the severity its evidence gives: a contract failure when the docs state or
    show it, a warning that quotes its evidence when they contest it or leave it to inference."""
    if not (
        finding.kind is breakage.kind
        and finding.status_code == breakage.status
        and (breakage.path is None or finding.path == breakage.path)
        and (breakage.location is None or finding.location == breakage.location)
    ):
        return False
    evidence = finding.evidence
    assert evidence is not None, f"no evidence on {finding.headline()}"
    assert evidence.quote
    assert evidence.source
    expected = Severity.ERROR if evidence.binding else Severity.WARNING
    assert finding.severity is expected, finding.headline()
    return True


@pytest.mark.parametrize(("vendor", "breakage"), CASES)
def test_probe_names_the_broken_fact(vendor, breakage):
    findings = _run(vendor, breakage.defect, f"probe:{breakage.probe}")
    assert any(_matches(f, breakage) for f in findings), [f.headline() for f in findings]
    named = next(f for f in findings if _matches(f, breakage))
    assert named.vendor == vendor.name
    assert named.operation == vendor.read_operation
    assert named.expected
    assert named.observed


@pytest.mark.parametrize(("vendor", "breakage"), CASES)
def test_property_run_names_the_broken_fact(vendor, breakage):
    findings = _run(vendor, breakage.defect, f"property:{vendor.read_operation}")
    assert any(_matches(f, breakage) for f in findings), [f.headline() for f in findings]


def test_broken_metadata_mapping_is_named():
    nexor = get_vendor("nexor")
    findings = _run(
        nexor, Quirk(name="no_metadata_mapping"), "scenario:unknown top-level keys are mapped into metadata"
    )
    broken = [f for f in findings if f.kind is Kind.BEHAVIOR_MISMATCH]
    # The scenario checks the create's answer only: reading the lead back rests on Get Lead's contested 200 body
    # (the create-then-read scenario reads metadata back).
    assert [(f.operation, f.path) for f in broken] == [("POST /leads", "/lead/metadata")]
    assert broken[0].severity is Severity.ERROR  # stated: seeds/003's "Automatic metadata mapping"
    assert "edad" in broken[0].expected
    assert "edad" not in broken[0].observed  # only the run marker is there


def test_every_vendor_has_the_format_and_enum_breakages_its_spec_allows():
    names = {vendor.name: {b.name for b in breakages(vendor)} for vendor in VENDORS}
    assert {"bad uuid", "bad email", "bad date-time"} <= names["nexor"]
    assert {"bad email", "bad date-time", "enum value outside the list"} <= names["pollybot"]
    assert {"bad date-time", "enum value outside the list"} <= names["dialnexa"]
    assert {"bad uuid", "bad email", "bad date-time"} <= names["aura"]
    rate_limited = {"missing required header", "non-integer header"}
    assert [name for name, found in names.items() if rate_limited <= found] == ["pollybot", "dialnexa", "aura"]


@pytest.mark.parametrize("vendor", VENDORS, ids=lambda vendor: vendor.name)
def test_unbroken_fakes_pass_with_zero_failures(vendor):
    spec = load_spec(vendor)
    result = run_vendor(
        vendor,
        fake_target(vendor.fake(), base_url=spec.server_url).with_limits(max_examples=5, stateful_examples=5),
        spec=spec,
    )
    assert result.status == "pass", result.reason
    assert [f.headline() for f in result.contract_failures] == []
    assert not [outcome.name for outcome in result.outcomes if outcome.skipped]
