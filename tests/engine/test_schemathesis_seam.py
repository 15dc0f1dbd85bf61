"""The schemathesis seam: its version check, what moved, and driving an operation's cases (every case checked,
faults and our bugs stop it unshrunk)."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pytest
import schemathesis.specs.openapi.checks as schemathesis_checks

import contracts
import contracts.engine.property
from contracts.engine import schemathesis_seam as seam
from contracts.engine.context import load_spec, open_run
from contracts.engine.property import DETERMINISTIC_SEED, build_schema, run_property
from contracts.fakes._core import Fault, SetValue
from contracts.transport.targets import PROPERTY_PHASES, fake_target
from contracts.values.errors import ContractSuiteError, IncompatibleDependency
from contracts.values.findings import Kind
from contracts.values.model import Capability
from contracts.vendors import get_vendor

NEXOR = get_vendor("nexor")
READ = "GET /leads/{id}"
CREATE = "POST /leads"


def context(*, phases=PROPERTY_PHASES, max_examples=10, capabilities=None, deterministic=True, **fake_kwargs):
    spec = load_spec(NEXOR)
    target = fake_target(NEXOR.fake(**fake_kwargs), base_url=spec.server_url).with_limits(
        max_examples=max_examples, phases=phases, deterministic=deterministic
    )
    if capabilities is not None:
        target = dataclasses.replace(target, capabilities=frozenset(capabilities))
    return open_run(NEXOR, target, spec=spec)


def sent(ctx, outcome, operation=None):
    return [
        e for e in ctx.client.exchanges if e.source == outcome.name and (operation is None or e.operation == operation)
    ]


@pytest.mark.parametrize("phases", [("examples",), ("fuzzing",)], ids=["explicit-examples", "fuzzing"])
def test_a_vendor_fault_ends_the_operation_at_once_and_is_one_finding(phases):
    ctx = context(phases=phases, faults=[Fault("reset", operation=CREATE)])
    outcome = run_property(ctx, operation=CREATE)
    assert len(sent(ctx, outcome)) == 1  # no further case, and no replay while shrinking
    (finding,) = outcome.findings
    assert (finding.kind, finding.operation, finding.check) == (Kind.UNREACHABLE, CREATE, "reachability")
    assert outcome.cases == 0


@pytest.mark.parametrize("phases", [("examples",), ("fuzzing",)], ids=["explicit-examples", "fuzzing"])
def test_a_bug_of_ours_is_raised_once_with_its_frames_not_shrunk_or_replayed(monkeypatch, phases):
    ctx = context(phases=phases)
    calls = []

    def broken(*args, **kwargs):
        calls.append(args)
        raise RuntimeError("a bug in the suite")

    monkeypatch.setattr(ctx.client, "request", broken)
    with pytest.raises(RuntimeError, match="a bug in the suite") as raised:
        run_property(ctx, operation=READ)
    assert len(calls) == 1
    # Raised as itself (a bug, not a setup error that would exit 2), with the frame that raised it.
    assert not isinstance(raised.value, ContractSuiteError)
    assert raised.traceback[-1].name == "broken"


def test_a_bug_of_ours_in_turning_failures_into_findings_is_raised_once(monkeypatch):
    ctx = context(defects=[SetValue(operation=READ, status=404, pointer="/error", value="Gone")])
    calls = []

    def broken(*args, **kwargs):
        calls.append(args)
        raise KeyError("kind")

    monkeypatch.setattr(contracts.engine.property, "findings_from_failure", broken)
    with pytest.raises(KeyError, match="kind"):
        run_property(ctx, operation=READ)
    assert len(calls) == 1


def test_every_failing_case_is_checked_and_counted_none_stops_the_run():
    ctx = context(max_examples=25, defects=[SetValue(operation=READ, status=404, pointer="/error", value="Gone")])
    outcome = run_property(ctx, operation=READ)
    not_found = [e for e in sent(ctx, outcome, READ) if e.status_code == 404]
    assert len(not_found) >= 10  # the run went on past the first failure
    (finding,) = [f for f in outcome.findings if f.path == "/error"]
    assert finding.status_code == 404
    assert finding.count == len(not_found)


def test_ignored_auth_probes_an_operation_once_not_every_2xx(monkeypatch):
    probes = []
    send_probe = schemathesis_checks.send_probe  # type: ignore[attr-defined]  # imported there from _auth_retry

    def counted(ctx, parent, probe):
        probes.append(probe.operation.label)
        return send_probe(ctx, parent, probe)

    monkeypatch.setattr(schemathesis_checks, "send_probe", counted)
    ctx = context(max_examples=25)
    outcome = run_property(ctx, operation=READ)
    assert sum(e.status_code == 200 for e in sent(ctx, outcome, READ)) >= 3  # the known lead, in several cases
    assert probes == [READ, READ]  # once without the key, once with a wrong one
    assert outcome.findings == []


def test_a_refused_request_is_not_sent_is_noted_once_and_is_not_a_case():
    ctx = context(capabilities={Capability.KNOWN_LEAD})  # no writes
    outcome = run_property(ctx, operation=CREATE)
    assert sent(ctx, outcome, CREATE) == []
    assert outcome.cases == len(sent(ctx, outcome))  # the OPTIONS and TRACE probes of undocumented methods
    (note,) = outcome.notes
    assert note.startswith("not sent: refusing POST /leads: writes are not allowed")


def test_the_same_run_sends_the_same_cases():
    def requests():
        ctx = context(max_examples=15)
        outcome = run_property(ctx, operation=READ)
        return [(e.method, e.path, e.status_code) for e in sent(ctx, outcome)]

    first = requests()
    assert len(first) > 15
    assert requests() == first


def test_a_deterministic_run_draws_from_a_fixed_seed_not_from_the_source_of_our_code():
    # Hypothesis's `derandomize` seeds from the test function's source, so any edit of the driver's test body
    # would change every case sent; an explicit seed takes precedence over it.
    assert build_schema(context()).config.seed == DETERMINISTIC_SEED
    assert build_schema(context(deterministic=False)).config.seed != DETERMINISTIC_SEED


# -- the version check and the seams -------------------------------------------------------------------


@pytest.mark.parametrize("found", ["4.31.0", "4.32.3", "4.33.0", "5.0.0"])
def test_a_schemathesis_outside_the_supported_range_is_refused_naming_both(monkeypatch, found):
    monkeypatch.delenv(seam.ALLOW_UNTESTED, raising=False)  # set by `make canary`
    with pytest.raises(IncompatibleDependency) as raised:
        seam.check_schemathesis_version(found)
    message = str(raised.value)
    assert f"schemathesis {found} is installed" in message
    assert f"supports schemathesis {seam.SUPPORTED_RANGE}" in message
    assert "\n" not in message


def test_the_installed_schemathesis_is_supported_and_no_seam_moved():
    seam.check_schemathesis_version()  # the pinned one: no error
    assert seam.moved_seams() == []


def test_untested_versions_can_be_allowed_with_a_warning(monkeypatch, capsys):
    monkeypatch.setenv(seam.ALLOW_UNTESTED, "1")
    seam.check_schemathesis_version("9.0.0")
    assert capsys.readouterr().err.startswith("warning: schemathesis 9.0.0 is installed")


def test_a_seam_that_is_gone_or_takes_other_parameters_is_named(monkeypatch, capsys):
    from schemathesis.generation import overrides

    monkeypatch.delattr(overrides, "with_config_headers")  # as in schemathesis 4.32.0-4.32.3

    def create_test(*, operation, test_func):  # a signature without `config`
        raise AssertionError("not called")

    monkeypatch.setattr("schemathesis.generation.hypothesis.builder.create_test", create_test)
    moved = {found.label: problem for found, problem in seam.moved_seams()}
    assert moved == {
        "schemathesis.generation.overrides.with_config_headers": (
            "schemathesis.generation.overrides.with_config_headers is gone"
        ),
        "schemathesis.generation.hypothesis.builder.create_test": (
            "schemathesis.generation.hypothesis.builder.create_test no longer takes config"
        ),
    }
    assert seam.main() == 1
    out = capsys.readouterr().out
    assert "MOVED schemathesis.generation.overrides.with_config_headers" in out
    assert f"2 of {len(seam.SEAMS)} seams moved" in out


def test_only_the_seam_imports_schemathesis():
    package = Path(contracts.__file__).parent
    importers = sorted(
        str(path.relative_to(package))
        for path in package.rglob("*.py")
        if re.search(r"^\s*(from|import) (schemathesis|hypothesis)\b", path.read_text(), re.M)
    )
    assert importers == ["engine/schemathesis_seam.py"]


def test_a_bug_of_ours_inside_the_stateful_engine_is_raised_as_itself(monkeypatch):
    """schemathesis's engine reports errors as events; one that is neither a vendor fault nor a spec problem is ours."""

    def planted_bug(self, case, **kwargs):
        raise ZeroDivisionError("a bug in the suite")

    monkeypatch.setattr(seam.ClientTransport, "send", planted_bug)
    with pytest.raises(ZeroDivisionError, match="a bug in the suite"):
        run_property(context(), stateful=True)
