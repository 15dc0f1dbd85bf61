"""The pytest plugin, tested the way users run it (pytester): markers, fixtures, messages, reports."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from contracts.engine.context import load_spec
from contracts.fakes.nexor import NexorFake
from contracts.values.model import Capability
from contracts.vendors import VENDORS, get_vendor

ROOT = Path(__file__).resolve().parent.parent

BROKEN_SUITE = """
import dataclasses
import pytest
from contracts.fakes._core import SetValue
from contracts.fakes.nexor import NexorFake
from contracts.pytest_plugin import assert_contract_holds
from contracts.engine.runner import plan_units
from contracts.engine.context import load_spec
from contracts.vendors import get_vendor

NEXOR = get_vendor("nexor")
# The 404 body is shown on Get Lead's page, so breaking it breaks the contract (its 200 body is contested).
BAD_ERROR = SetValue(operation="GET /leads/{id}", status=404, pointer="/error", value="not-a-documented-error")
BROKEN = dataclasses.replace(
    NEXOR,
    name="brokennexor",
    env_prefix="BROKENNEXOR",
    fake=lambda **kw: NexorFake(defects=[BAD_ERROR], **kw),
)
UNIT = next(u for u in plan_units(BROKEN, load_spec(BROKEN)) if u.id == "probe:unknown id")

@pytest.mark.parametrize("vendor", [NEXOR, BROKEN], ids=["clean", "broken"])
def test_known_lead(contract_run, contract_redactor, vendor):
    assert_contract_holds(contract_run(vendor, "fake").run(UNIT), contract_redactor)
"""

LIVE_SUITE = """
import pytest
from contracts.pytest_plugin import assert_contract_holds
from contracts.engine.runner import plan_units
from contracts.engine.context import load_spec
from contracts.vendors import VENDORS, get_vendor

CASES = [
    pytest.param(v, u, id=f"{v.name}-{u.id}")
    for v in VENDORS
    for u in plan_units(v, load_spec(v))
    if u.kind == "probe"
]

@pytest.mark.live
@pytest.mark.parametrize(("vendor", "unit"), CASES)
def test_probe(contract_run, contract_redactor, vendor, unit):
    assert_contract_holds(contract_run(vendor, "live").run(unit), contract_redactor)
"""


@pytest.fixture
def clean_env(monkeypatch):
    """No vendor configuration: the suite's autouse fixture (tests/fixtures/environment.py) has removed it."""
    return monkeypatch


def test_the_live_marker_is_registered_with_help(pytester):
    result = pytester.runpytest("--markers")
    result.stdout.fnmatch_lines(["@pytest.mark.live: talks to the real vendor APIs with sandbox keys*"])


def test_the_project_deselects_live_tests_by_default(pytester, monkeypatch):
    """`pytest` in the project picks up its pyproject.toml (``-m "not live"``) and conftest.py.

    In process (the same configuration discovery from the project directory, without starting and importing
    everything again in a subprocess).
    """
    monkeypatch.chdir(ROOT)
    # The plugin and the package are imported already in this process: pytest says it cannot rewrite
    # their asserts, which the project's filterwarnings turns into an error.
    quiet = ("-W", "ignore::pytest.PytestAssertRewriteWarning", "-p", "no:cacheprovider")
    result = pytester.runpytest_inprocess("--collect-only", "-q", *quiet, "tests/contract")
    output = result.stdout.str()
    assert result.ret == pytest.ExitCode.OK, output + result.stderr.str()
    summary = re.search(r"(\d+)/(\d+) tests collected \((\d+) deselected\)", output)
    assert summary is not None, output[-500:]
    selected, total, deselected = map(int, summary.groups())
    assert deselected == total - selected == selected > 0
    assert "-live]" not in output
    assert "-fake]" in output


def test_a_contract_failure_names_vendor_operation_status_pointer_expected_observed(pytester):
    pytester.makepyfile(test_suite=BROKEN_SUITE)
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(
        [
            "*1 contract failure(s):",
            "*[[]error[]] brokennexor GET /leads/{id} -> 404: error_body_mismatch at body /error: "
            'expected the documented error body: "Lead not found"; observed "not-a-documented-error"*',
            "*request: GET https://api.getnexor.ai/api/public/leads/00000000-0000-4000-8000-000000000000",
        ]
    )


def test_live_tests_without_keys_are_skipped_naming_the_variables(pytester, clean_env):
    pytester.makepyfile(test_live=LIVE_SUITE)
    result = pytester.runpytest("-m", "live", "-rs", "-p", "no:cacheprovider")
    result.assert_outcomes(skipped=sum(len(vendor.probes) for vendor in VENDORS))
    result.stdout.fnmatch_lines(
        [
            "*nexor: not configured: set NEXOR_API_KEY",
            "*pollybot: not configured: set POLLYBOT_API_KEY, POLLYBOT_BASE_URL",
            "*dialnexa: not configured: set DIALNEXA_API_KEY",
            "*aura: not configured: set AURA_API_KEY",
        ]
    )


def test_a_wrong_key_fails_loudly_instead_of_passing_on_401s(pytester, clean_env, loopback):
    server = loopback(nexor=NexorFake())
    env = server.environment()
    clean_env.setenv("NEXOR_BASE_URL", env["NEXOR_BASE_URL"])
    clean_env.setenv("NEXOR_LEAD_ID", env["NEXOR_LEAD_ID"])
    clean_env.setenv("NEXOR_API_KEY", "nxr_live_not-the-right-key-0000000000")
    pytester.makepyfile(test_live=LIVE_SUITE)
    result = pytester.runpytest("-m", "live", "-k", "nexor", "-p", "no:cacheprovider")
    result.assert_outcomes(failed=len(get_vendor("nexor").probes))
    result.stdout.fnmatch_lines(
        ["*nexor (live): nexor: the credentials guard GET /leads/{id} was refused with 401: the key in NEXOR_API_KEY*"]
    )
    assert "not-the-right-key" not in result.stdout.str()


def test_a_live_session_writes_the_drift_reports(pytester, clean_env, loopback):
    server = loopback()
    for name, value in server.environment().items():
        clean_env.setenv(name, value)
    pytester.makepyfile(test_live=LIVE_SUITE)
    result = pytester.runpytest("-m", "live", "-p", "no:cacheprovider", "--contracts-report", "out")
    # `contracts serve` allows writes, not outreach: the probes of operations that can reach a person (Nexor's
    # status change, every DialNexa write) are skipped with the reason; every other probe passes.
    probes = [(vendor, probe) for vendor in VENDORS for probe in vendor.probes]
    outreach = sum(
        1
        for vendor, probe in probes
        if Capability.OUTREACH
        in vendor.needs_of(probe.operation, is_write=load_spec(vendor).operation(probe.operation).is_write)
    )
    assert outreach
    result.assert_outcomes(passed=len(probes) - outreach, skipped=outreach)
    result.stdout.fnmatch_lines(["contracts: reports written to out/*"])
    report = json.loads((pytester.path / "out" / "drift.json").read_text())
    assert report["target"] == "live"
    assert {name: vendor["status"] for name, vendor in report["vendors"].items()} == dict.fromkeys(
        [v.name for v in VENDORS], "pass"
    )
    assert (pytester.path / "out" / "drift.md").is_file()
    assert (pytester.path / "out" / "history-live.json").is_file()


CREATING_SUITE = """
import pytest
from contracts.pytest_plugin import assert_contract_holds
from contracts.engine.runner import plan_units
from contracts.engine.context import load_spec
from contracts.vendors import get_vendor

NEXOR = get_vendor("nexor")
UNIT = next(u for u in plan_units(NEXOR, load_spec(NEXOR)) if u.id == "property:POST /leads")

@pytest.mark.live
def test_create(contract_run, contract_redactor):
    assert_contract_holds(contract_run(NEXOR, "live").run(UNIT), contract_redactor)
"""


def test_a_live_session_ledgers_what_it_created_and_reports_what_it_could_not_delete(pytester, clean_env, loopback):
    """The session's clean-up runs at its end: Nexor documents no delete, so its leads stay in the ledger
    (``<report dir>/.cleanup-live.json``) and every report lists them with why."""
    server = loopback(nexor=NexorFake())
    for name, value in server.served["nexor"].environment().items():
        clean_env.setenv(name, value)
    pytester.makepyfile(test_live=CREATING_SUITE)
    result = pytester.runpytest("-m", "live", "-p", "no:cacheprovider", "--contracts-report", "out")
    result.assert_outcomes(passed=1)
    ledger = json.loads((pytester.path / "out" / ".cleanup-live.json").read_text())["records"]
    assert ledger, "the leads the session created"
    assert {(record["vendor"], record["operation"]) for record in ledger} == {("nexor", "POST /leads")}
    cleanup = json.loads((pytester.path / "out" / "drift.json").read_text())["vendors"]["nexor"]["cleanup"]
    assert cleanup["deleted"] == 0
    assert {item["id"] for item in cleanup["not_cleaned"]} == {record["id"] for record in ledger}
    assert {item["reason"] for item in cleanup["not_cleaned"]} == {"not cleaned up: the vendor documents no delete"}
    assert "### Records not cleaned up" in (pytester.path / "out" / "drift.md").read_text()


# -- pytest-xdist: every worker its own fakes ------------------------------------------------------

XDIST_SUITE = """
import json
import os
import time
from pathlib import Path

import httpx
import pytest

from contracts.vendors import get_vendor

NEXOR = get_vendor("nexor")
SHARED = Path(os.environ["ISOLATION_DIR"])
WORKER = os.environ["PYTEST_XDIST_WORKER"]
OTHER = {"gw0": "gw1", "gw1": "gw0"}[WORKER]


def api(run):
    target = run.ctx.target
    return httpx.Client(
        transport=target.transport, base_url=target.base_url, headers={"X-API-Key": target.fake.api_key}
    )


def wait_for(path):
    deadline = time.monotonic() + 60  # a hang guard for a crashed worker, not a timing check
    while not path.exists():
        assert time.monotonic() < deadline, f"{OTHER} never wrote {path.name}"
        time.sleep(0.05)
    return json.loads(path.read_text())


def test_1_leads_created_in_one_worker_never_reach_another(contract_run):
    run = contract_run(NEXOR, "fake")
    fake = run.ctx.target.fake
    created = []
    try:
        with api(run) as client:
            for number in range(3):
                answer = client.post("/leads", json={"first_name": WORKER, "last_name": str(number)})
                assert answer.status_code == 201, answer.text
                created.append(answer.json()["lead"]["id"])
    finally:
        mine = {"pid": os.getpid(), "run_id": run.ctx.run_id, "fake": id(fake), "leads": created}
        (SHARED / f"{WORKER}.tmp").write_text(json.dumps(mine))
        (SHARED / f"{WORKER}.tmp").rename(SHARED / f"{WORKER}.json")
    other = wait_for(SHARED / f"{OTHER}.json")
    assert other["pid"] != os.getpid()
    assert len(other["leads"]) == 3
    assert not set(other["leads"]) & set(fake.leads)
    assert {lead["first_name"] for lead in fake.leads.values()} == {"Carlos", WORKER}
    with api(run) as client:
        assert [client.get(f"/leads/{lead}").status_code for lead in other["leads"]] == [404] * 3
        assert [client.get(f"/leads/{lead}").json()["first_name"] for lead in created] == [WORKER] * 3
    assert other["run_id"] == run.ctx.run_id  # one run (one marker on created records) across workers


def test_2_the_session_run_is_the_workers_for_the_whole_session(contract_run):
    run = contract_run(NEXOR, "fake")
    mine = json.loads((SHARED / f"{WORKER}.json").read_text())
    assert id(run.ctx.target.fake) == mine["fake"]
    assert set(mine["leads"]) <= set(run.ctx.target.fake.leads)


@pytest.mark.live
def test_3_a_live_run_in_a_worker(contract_run):
    contract_run(NEXOR, "live").require()
"""


@pytest.mark.slow
def test_under_xdist_each_worker_has_its_own_fakes_and_writes_no_partial_report(pytester, clean_env, loopback):
    """Two workers run the same tests at once (``--dist each``): each sees only the leads it created.

    They share one run id; a live run split between workers writes no report and says so.
    """
    server = loopback(nexor=NexorFake())
    for name, value in server.served["nexor"].environment().items():
        clean_env.setenv(name, value)
    for name in ("PYTEST_XDIST_WORKER", "PYTEST_XDIST_WORKER_COUNT", "PYTEST_XDIST_TESTRUNUID"):
        clean_env.delenv(name, raising=False)
    shared = pytester.mkdir("shared")
    clean_env.setenv("ISOLATION_DIR", str(shared))
    pytester.makepyfile(test_isolation=XDIST_SUITE)
    # The controller runs in this process (it runs no test); the two workers are processes of their own. Only
    # the two plugins at work are loaded: the workers start without importing every installed pytest plugin.
    clean_env.setenv("PYTEST_DISABLE_PLUGIN_AUTOLOAD", "1")
    plugins = ("-p", "xdist", "-p", "contracts.pytest_plugin", "-p", "no:cacheprovider")
    result = pytester.runpytest_inprocess(*plugins, "-n", "2", "--dist", "each", "-m", "live or not live")
    result.assert_outcomes(passed=6)
    assert sorted(path.name for path in shared.iterdir()) == ["gw0.json", "gw1.json"]
    result.stdout.fnmatch_lines(["contracts: no drift reports written: the fake and live runs were split between*"])
    assert not (pytester.path / "reports").exists()


def test_a_report_is_refused_when_the_session_is_distributed(pytester):
    pytester.makepyfile(test_nothing="def test_nothing():\n    pass\n")
    result = pytester.runpytest_inprocess("-n", "2", "--contracts-report", "out", "-p", "no:cacheprovider")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*--contracts-report needs the whole session in one process*"])
    assert not (pytester.path / "out").exists()
