"""The pytest plugin, tested the way users run it (pytester): markers, fixtures, messages, reports."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from contracts.fakes.nexor import NexorFake
from contracts.vendors import VENDORS

ROOT = Path(__file__).resolve().parent.parent

BROKEN_SUITE = """
import dataclasses
import pytest
from contracts.fakes._core import SetValue
from contracts.fakes.nexor import NexorFake
from contracts.pytest_plugin import assert_contract_holds
from contracts.runner import plan_units
from contracts.context import load_spec
from contracts.vendors import get_vendor

NEXOR = get_vendor("nexor")
BAD_EMAIL = SetValue(operation="GET /leads/{id}", status=200, pointer="/email", value="not-an-email")
BROKEN = dataclasses.replace(
    NEXOR,
    name="brokennexor",
    env_prefix="BROKENNEXOR",
    fake=lambda **kw: NexorFake(defects=[BAD_EMAIL], **kw),
)
UNIT = next(u for u in plan_units(BROKEN, load_spec(BROKEN)) if u.id == "probe:known lead")

@pytest.mark.parametrize("vendor", [NEXOR, BROKEN], ids=["clean", "broken"])
def test_known_lead(contract_run, contract_redactor, vendor):
    assert_contract_holds(contract_run(vendor, "fake").run(UNIT), contract_redactor)
"""

LIVE_SUITE = """
import pytest
from contracts.pytest_plugin import assert_contract_holds
from contracts.runner import plan_units
from contracts.context import load_spec
from contracts.vendors import VENDORS

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
    """No vendor configuration leaks in from the developer's environment."""
    for vendor in VENDORS:
        for suffix in (
            "BASE_URL",
            "API_KEY",
            "LEAD_ID",
            "RESTRICTED_API_KEY",
            "ALLOW_WRITES",
            "ALLOW_OUTREACH",
            "WORKFLOW_ID",
        ):
            monkeypatch.delenv(vendor.env(suffix), raising=False)
    return monkeypatch


def test_the_live_marker_is_registered_with_help(pytester):
    result = pytester.runpytest("--markers")
    result.stdout.fnmatch_lines(["@pytest.mark.live: talks to the real vendor APIs with sandbox keys*"])


def test_the_project_deselects_live_tests_by_default():
    completed = subprocess.run(
        [sys.executable, "-m", "pytest", "--collect-only", "-q", "tests/contract"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr
    summary = re.search(r"(\d+)/(\d+) tests collected \((\d+) deselected\)", completed.stdout)
    assert summary is not None, completed.stdout[-500:]
    selected, total, deselected = map(int, summary.groups())
    assert deselected == total - selected == selected > 0
    assert "-live]" not in completed.stdout


def test_a_contract_failure_names_vendor_operation_status_pointer_expected_observed(pytester):
    pytester.makepyfile(test_suite=BROKEN_SUITE)
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(
        [
            "*1 contract failure(s):",
            "*[[]error[]] brokennexor GET /leads/{id} -> 200: format_mismatch at body /email: "
            'expected format "email"; observed "not-an-email"',
            "*request: GET https://api.getnexor.ai/api/public/leads/123e4567-e89b-12d3-a456-426614174000",
        ]
    )


def test_live_tests_without_keys_are_skipped_naming_the_variables(pytester, clean_env):
    pytester.makepyfile(test_live=LIVE_SUITE)
    result = pytester.runpytest("-m", "live", "-rs", "-p", "no:cacheprovider")
    result.assert_outcomes(skipped=len(VENDORS) * 4 + 2)
    result.stdout.fnmatch_lines(
        [
            "*nexor not configured: set NEXOR_API_KEY",
            "*pollybot not configured: set POLLYBOT_API_KEY, POLLYBOT_BASE_URL",
            "*dialnexa not configured: set DIALNEXA_API_KEY",
            "*aura not configured: set AURA_API_KEY",
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
    result.assert_outcomes(failed=4)
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
    result.assert_outcomes(passed=len(VENDORS) * 4 + 2)
    result.stdout.fnmatch_lines(["contracts: reports written to out/*"])
    report = json.loads((pytester.path / "out" / "drift.json").read_text())
    assert report["target"] == "live"
    assert {name: vendor["status"] for name, vendor in report["vendors"].items()} == dict.fromkeys(
        [v.name for v in VENDORS], "pass"
    )
    assert (pytester.path / "out" / "drift.md").is_file()
    assert (pytester.path / "out" / "history-live.json").is_file()
