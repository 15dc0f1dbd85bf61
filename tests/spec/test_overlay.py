"""Persisting drift as an OpenAPI Overlay 1.0 spec patch: the applier, the paths, the structure and the round trip.

The round trip is the point: break a vendor's fake so it shows each kind of drift the overlay proposes a change
for, run it twice so the drift persists, propose the overlay, apply it to a copy of the spec, run the same fake
against the patched spec, and check that the drift the overlay addressed is gone while every contract check
came out exactly as before.
"""

from __future__ import annotations

import copy
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import jsonpath
import pytest
import yaml

from contracts.engine.context import load_spec
from contracts.engine.observe import observe as observe_analysed
from contracts.engine.runner import run_vendor
from contracts.fakes._core import AddHeaders, Defect, DropField, SetValue
from contracts.pipeline import publish, write_overlays
from contracts.report.history import History, build_report
from contracts.report.model import State
from contracts.spec.document import Spec
from contracts.spec.overlay import (
    OVERLAY_KINDS,
    OverlayError,
    Persisting,
    _usages,
    apply_overlay,
    is_proposable,
    normalized_path,
    overlay_errors,
    propose,
)
from contracts.spec.shape import Member, iter_members
from contracts.transport.client import analyse
from contracts.transport.targets import fake_target
from contracts.values.findings import Finding, Kind, Location, Severity
from contracts.values.model import Vendor
from contracts.values.redaction import Redactor
from contracts.values.results import Status, VendorResult
from contracts.vendors import VENDORS, get_vendor
from tests.fixtures.acme import ACME
from tests.fixtures.exchanges import recorded_exchange

START = datetime(2026, 3, 1, 2, 0, tzinfo=UTC)
EVIDENCE_KEYS = {
    "id",
    "kind",
    "vendor",
    "operation",
    "status",
    "location",
    "pointer",
    "expected",
    "observed",
    "first_seen",
}


def overlay(*actions: dict[str, Any]) -> dict[str, Any]:
    return {"overlay": "1.0.0", "info": {"title": "t", "version": "1"}, "actions": list(actions)}


# -- the applier -------------------------------------------------------------------------------------


DOCUMENT: dict[str, Any] = {
    "components": {"schemas": {"Lead": {"type": "object", "properties": {"id": {"type": "string"}}}}},
    "tags": [{"name": "a"}, {"name": "b"}, {"name": "c"}],
}


def test_an_update_merges_into_an_object_and_leaves_the_original_alone():
    before = copy.deepcopy(DOCUMENT)
    patched = apply_overlay(
        DOCUMENT,
        overlay(
            {
                "target": "$['components']['schemas']['Lead']",
                "update": {"properties": {"score": {"type": "number"}}, "description": "a lead"},
            }
        ),
    )
    assert patched["components"]["schemas"]["Lead"] == {
        "type": "object",
        "properties": {"id": {"type": "string"}, "score": {"type": "number"}},
        "description": "a lead",
    }
    assert before == DOCUMENT


def test_an_update_appends_to_an_array_and_a_remove_removes_every_selected_node():
    patched = apply_overlay(
        DOCUMENT,
        overlay(
            {"target": "$.tags", "update": {"name": "d"}},
            {"target": "$.tags[?@.name == 'a' || @.name == 'c']", "remove": True},
            {"target": "$.components.schemas.Lead.properties.id", "remove": True},
        ),
    )
    assert patched["tags"] == [{"name": "b"}, {"name": "d"}]
    assert patched["components"]["schemas"]["Lead"]["properties"] == {}


def test_a_target_that_selects_nothing_is_a_no_op_unless_strict():
    missing = overlay({"target": "$.nowhere", "update": {"x": 1}})
    assert apply_overlay(DOCUMENT, missing) == DOCUMENT
    with pytest.raises(OverlayError, match="selects nothing"):
        apply_overlay(DOCUMENT, missing, strict=True)


@pytest.mark.parametrize(
    ("action", "message"),
    [
        ({"target": "$", "remove": True}, "root cannot be removed"),
        ({"target": "$.components", "update": "text"}, "an update needs"),
        ({"target": "$[", "update": {}}, "not a JSONPath expression"),
        ({"target": "components", "update": {}}, "not an Overlay 1.0 document"),
    ],
    ids=["remove-root", "scalar-into-object", "bad-jsonpath", "target-without-$"],
)
def test_an_overlay_that_cannot_be_applied_says_why(action, message):
    with pytest.raises(OverlayError, match=message):
        apply_overlay(DOCUMENT, overlay(action))


# -- paths and structure -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("pointer", "path"),
    [
        ("/paths/~1leads~1{id}/get", "$['paths']['/leads/{id}']['get']"),
        ("/components/schemas/Lead/allOf/1", "$['components']['schemas']['Lead']['allOf'][1]"),
        ("/responses/200", "$['responses']['200']"),
        ("/a/it's/back\\slash/tilde~0", "$['a']['it\\'s']['back\\\\slash']['tilde~']"),
        ("", "$"),
    ],
)
def test_normalized_paths_select_exactly_the_node_a_pointer_names(pointer, path):
    document = {
        "paths": {"/leads/{id}": {"get": {}}},
        "components": {"schemas": {"Lead": {"allOf": [{}, {"properties": {}}]}}},
        "responses": {"200": {}},
        "a": {"it's": {"back\\slash": {"tilde~": {}}}},
    }
    assert normalized_path(pointer, document) == path
    env = jsonpath.JSONPathEnvironment(strict=True)
    (match,) = env.finditer(path, document)
    assert str(match.pointer()) == pointer


def test_the_overlay_structure_is_checked():
    assert overlay_errors(overlay({"target": "$.a", "update": {}, "x-findings": []})) == []
    assert overlay_errors({**overlay({"target": "$.a", "remove": True}), "x-review": "r", "extends": "a.yaml"}) == []
    assert overlay_errors({"overlay": "2.0.0", "info": {"title": "t", "version": "1"}, "actions": [{"target": "$"}]})
    assert overlay_errors({"overlay": "1.0.0", "info": {"title": "t"}, "actions": [{"target": "$"}]})
    assert overlay_errors(overlay())  # at least one action
    assert overlay_errors(overlay({"target": "$.a", "findings": []}))  # extensions start with x-
    assert overlay_errors(overlay({"update": {}}))  # a target is required
    assert overlay_errors({**overlay({"target": "$"}), "notes": "n"})


# -- proposing ------------------------------------------------------------------------------------


def _drift(**changes: Any) -> Finding:
    fields: dict[str, Any] = {
        "vendor": "acme",
        "operation": "GET /leads/{id}",
        "status_code": 200,
        "kind": Kind.UNDOCUMENTED_FIELD,
        "severity": Severity.INFO,
        "path": "/score",
        "expected": "only documented members",
        "observed": "number 0.5",
        "check": "drift_observation",
        "source": "observation",
    }
    return Finding(**(fields | changes))


def test_only_drift_observations_of_the_overlay_kinds_are_proposed():
    assert is_proposable(_drift())
    assert not is_proposable(_drift(kind=Kind.DEPRECATION))
    assert not is_proposable(_drift(kind=Kind.ENUM_MISMATCH, severity=Severity.ERROR, check="conformance"))
    spec = load_spec(ACME)
    assert propose(spec, "acme", [Persisting(_drift(kind=Kind.DEPRECATION), "t")], version="1") is None


def test_a_member_seen_where_a_shared_component_is_used_elsewhere_goes_to_the_operation_s_own_schema():
    spec = load_spec(ACME)
    # Acme's read documents Lead (allOf LeadCore and its own members); LeadCore is the create's lead too.
    document = propose(spec, "acme", [Persisting(_drift(), "2026-03-01T02:00:00Z")], version="1")
    assert document is not None
    (action,) = document["actions"]
    assert action["target"].startswith("$['components']['schemas']['Lead']['allOf'][1]")
    assert action["update"] == {"score": {"type": "number", "description": action["update"]["score"]["description"]}}
    seen_in_both = [_drift(), _drift(operation="POST /leads", status_code=201, path="/lead/score")]
    document = propose(spec, "acme", [Persisting(f, "t") for f in seen_in_both], current=seen_in_both, version="1")
    assert document is not None
    (action,) = document["actions"]  # one change asked for twice: one action naming both findings
    assert action["target"] == "$['components']['schemas']['LeadCore']['properties']"
    assert [item["id"] for item in action["x-findings"]] == [f.fingerprint for f in seen_in_both]


def test_a_truncated_object_is_proposed_by_its_type_and_a_whole_one_with_its_members():
    spec = load_spec(ACME)
    whole = _drift(path="/extra", observed='object {"a": 1, "b": [true], "c": null}')
    cut = _drift(path="/blob", observed='object {"a": "xxxxxxxx… (120 chars)')
    document = propose(spec, "acme", [Persisting(whole, "t"), Persisting(cut, "t")], version="1")
    assert document is not None
    updates = {name: schema for action in document["actions"] for name, schema in action["update"].items()}
    assert updates["extra"]["properties"] == {
        "a": {"type": "integer"},
        "b": {"type": "array", "items": {"type": "boolean"}},
        "c": {"type": "null"},
    }
    assert {key: value for key, value in updates["blob"].items() if key != "description"} == {"type": "object"}


def test_removing_a_shared_member_is_not_proposed_unless_every_use_showed_it_missing():
    spec = load_spec(ACME)
    title = _drift(
        kind=Kind.NEVER_PRESENT, path="/title", expected="a value", observed="null in all 3 responses"
    )  # LeadCore's title: the create's lead documents it too
    document = propose(spec, "acme", [Persisting(title, "t")], current=[title], version="1")
    assert document is None


# -- the observer reads a member documented as null only --------------------------------------------


def test_a_member_documented_as_null_only_is_no_always_null_drift():
    spec = load_spec(ACME)
    created = {"success": True, "lead": {"id": "1", "first_name": "A", "email": "a@example.com", "title": None,
                                         "metadata": {}, "created_at": "2026-01-01T00:00:00Z"}}  # fmt: skip
    exchanges = [recorded_exchange(created, status=201, operation="POST /leads") for _ in range(3)]
    before = observe_analysed("acme", spec, analyse(spec, exchanges))
    assert ("/lead/title", "null in all 3 responses") in {(f.path, f.observed) for f in before}
    patched = Spec(
        apply_overlay(
            spec.raw,
            overlay({"target": "$.components.schemas.LeadCore.properties.title", "update": {"type": "null"}}),
            strict=True,
        ),
        source=spec.source,
    )
    after = observe_analysed("acme", patched, analyse(patched, exchanges))
    assert "/lead/title" not in {f.path for f in after}


# -- the round trip ---------------------------------------------------------------------------------


def _defects(vendor: Vendor, spec: Spec) -> tuple[list[Defect], set[Kind]]:
    """Defects on the read's 200 that show each kind of drift the overlay proposes for, as far as the spec allows,
    and the kinds they show. Members to drop or null are ones only the read's 200 documents (a component shared
    with other responses is not patched from one response's drift)."""
    read = vendor.read_operation
    documented = spec.operation(read).response_for(200)
    assert documented is not None
    root = spec.response_schema_pointer(documented)
    assert root is not None
    members = list(iter_members(spec, spec.schema_at(root)))
    defects: list[Defect] = [
        SetValue(operation=read, status=200, pointer="/x_score", value=0.93),
        SetValue(operation=read, status=200, pointer="/x_tier", value={"level": "gold", "tags": ["a", "b"]}),
        AddHeaders(operation=read, status=200, headers={"X-Request-Id": "req-1"}),
    ]
    kinds = {Kind.UNDOCUMENTED_FIELD}
    known = next((m for m in members if m.shape.known_values), None)
    if known is not None:
        defects.append(SetValue(operation=read, status=200, pointer=known.pointer, value="beyond_the_known"))
        kinds.add(Kind.ENUM_MISMATCH)
    usages = _usages(spec).members

    def only_the_read(member: Member) -> bool:
        """No other response documents the member's schema (Aura's Lead is also the create's and update's)."""
        here = (read, "200", member.pointer)
        return all(used == {here} for used in usages.values() if here in used)

    nullable = next(
        (m for m in members if m.shape.nullable and not m.shape.is_object and m.required and only_the_read(m)), None
    )
    if nullable is not None:
        defects.append(SetValue(operation=read, status=200, pointer=nullable.pointer, value=None))
        kinds.add(Kind.NEVER_PRESENT)
    optional = next((m for m in members if not m.required and m.pointer.count("/") == 1), None)
    if optional is not None:
        defects.append(DropField(operation=read, status=200, pointer=optional.pointer))
    return defects, kinds


def _run(vendor: Vendor, spec: Spec, defects: list[Defect]) -> VendorResult:
    target = fake_target(vendor.fake(defects=defects), base_url=spec.server_url).with_limits(
        max_examples=3, stateful_examples=3
    )
    return run_vendor(vendor, target, spec=spec)


def _contract_checks(result: VendorResult) -> set[tuple[str, str, str]]:
    """Every finding of a check (contract failures, warnings graded by evidence, input handling): not drift."""
    return {(f.fingerprint, f.severity, f.observed) for f in result.findings if f.check != "drift_observation"}


@pytest.mark.parametrize("vendor", VENDORS, ids=lambda vendor: vendor.name)
@pytest.mark.slow
def test_the_overlay_of_persisting_drift_applied_to_the_spec_removes_that_drift_and_changes_no_contract_check(vendor):
    spec = load_spec(vendor)
    defects, kinds = _defects(vendor, spec)
    first = _run(vendor, spec, defects)
    _, history = build_report([first], target="fake", run_id="one", history=History(), now=START)
    second = _run(vendor, spec, defects)
    report, _ = build_report([second], target="fake", run_id="two", history=history, now=START + timedelta(days=1))
    persisting = [Persisting(item.finding, item.first_seen) for item in report.by_state(State.PERSISTING)]
    drift = {p.finding.fingerprint: p for p in persisting if is_proposable(p.finding)}
    assert {p.finding.kind for p in drift.values()} >= kinds

    document = propose(
        spec, vendor.name, persisting, current=[i.finding for i in report.open_findings()], version="two"
    )
    assert document is not None
    assert overlay_errors(document) == []
    assert yaml.safe_load(yaml.safe_dump(document)) == document  # it survives being written as YAML
    addressed: set[str] = set()
    for action in document["actions"]:
        assert action["description"]
        assert action["x-findings"], action
        for evidence in action["x-findings"]:
            persisted = drift[evidence["id"]]  # each names a persisting drift finding, with its evidence
            # A documented field's drift also quotes the doc line the field rests on.
            documented = persisted.finding.evidence
            assert set(evidence) == EVIDENCE_KEYS | ({"documented_by"} if documented is not None else set())
            if documented is not None:
                assert evidence["documented_by"] == documented.to_json()
            assert (evidence["pointer"], evidence["observed"], evidence["first_seen"]) == (
                persisted.finding.path,
                persisted.finding.observed,
                START.strftime("%Y-%m-%dT%H:%M:%SZ"),
            )
            addressed.add(evidence["id"])
    skipped = {entry["id"] for entry in document.get("x-not-proposed", [])}
    assert addressed | skipped == set(drift)  # every persisting drift finding is proposed for, or says why not
    assert {drift[key].finding.kind for key in addressed} >= kinds
    assert any(drift[key].finding.location is Location.HEADER for key in addressed)

    patched = Spec(apply_overlay(spec.raw, document, strict=True), source=spec.source)
    assert patched.raw != spec.raw
    after = _run(vendor, patched, defects)
    left = {f.fingerprint for f in after.findings if f.kind in OVERLAY_KINDS and f.check == "drift_observation"}
    assert not left & addressed  # the drift the overlay addressed is gone
    assert left <= skipped  # and none came instead
    assert _contract_checks(after) == _contract_checks(second)
    assert after.status == second.status


# -- publishing -------------------------------------------------------------------------------------


@pytest.mark.slow
def test_publish_writes_the_overlay_beside_the_reports_once_drift_persists_and_removes_it_when_it_is_gone(tmp_path):
    nexor = get_vendor("nexor")
    spec = load_spec(nexor)
    defects: list[Defect] = [SetValue(operation=nexor.read_operation, status=200, pointer="/x_score", value=1)]
    out = tmp_path / "reports"

    def publish_run(run_id: str, with_defects: list[Defect]) -> Any:
        return publish([_run(nexor, spec, with_defects)], target="fake", run_id=run_id, out=out, redactor=Redactor([]))

    first = publish_run("one", defects)
    assert not (out / "overlay-nexor.yaml").exists()  # new drift is not proposed yet
    assert "overlay-nexor" not in first.paths
    assert "overlay-nexor.yaml" not in first.paths["markdown"].read_text(encoding="utf-8")
    second = publish_run("two", defects)
    path = second.paths["overlay-nexor"]
    assert path == out / "overlay-nexor.yaml"
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert overlay_errors(document) == []
    assert (path.parent / document["extends"]).resolve() == Path(spec.source).resolve()
    assert document["info"]["version"] == second.report.generated_at
    (score,) = [action for action in document["actions"] if "x_score" in action.get("update", {})]
    assert [item["pointer"] for item in score["x-findings"]] == ["/x_score"]
    markdown = second.paths["markdown"].read_text(encoding="utf-8")
    assert "overlay-nexor.yaml" in markdown
    assert "never applied automatically" in markdown
    publish_run("three", [])  # x_score resolved: the proposal goes with it (the fake's own drift stays)
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert not [action for action in document["actions"] if "x_score" in action.get("update", {})]


@pytest.mark.parametrize(("status", "kept"), [(Status.PASS, False), (Status.FAIL, False), (Status.SKIPPED, True)])
def test_a_vendor_without_proposals_loses_its_old_overlay_only_when_its_run_completed(tmp_path, status, kept):
    stale = tmp_path / "overlay-acme.yaml"
    stale.write_text("old", encoding="utf-8")
    result = VendorResult(vendor="acme", title="Acme", target="fake", status=status)
    report, _ = build_report([result], target="fake", run_id="r", history=History(), now=START)
    spec = load_spec(ACME)
    assert write_overlays(report, [result], tmp_path, lambda name: spec) == {}
    assert stale.exists() is kept
