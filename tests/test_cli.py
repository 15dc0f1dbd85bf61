"""The ``contracts`` command: exit codes, reports, history, and serving the fakes on loopback."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner

from contracts import cli
from contracts.engine.context import load_spec
from contracts.fakes._core import Fault, SetValue
from contracts.transport.targets import fake_target
from contracts.vendors import VENDORS

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def no_live_config(monkeypatch):
    """No live configuration: the suite's autouse fixture (tests/fixtures/environment.py) has removed it."""
    return monkeypatch


def drift(tmp_path: Path, *args: str):
    return CliRunner().invoke(cli.main, ["drift", "--out", str(tmp_path / "reports"), "--max-examples", "3", *args])


def broken_targets(monkeypatch, **fake_kwargs):
    """Make the CLI's fake targets serve fakes built with ``fake_kwargs`` (defects, faults)."""

    def target(vendor, kind, *, env_file, max_examples=None):
        spec = load_spec(vendor)
        return fake_target(vendor.fake(**fake_kwargs), base_url=spec.server_url).with_limits(
            max_examples=max_examples or 3, connect_timeout=0.05, read_timeout=0.05, retries=1, max_retry_wait=0.1
        )

    monkeypatch.setattr("contracts.pipeline.select_target", target)


@pytest.mark.slow
def test_fakes_hold_their_contracts_exit_0_with_reports(tmp_path):
    result = drift(tmp_path, "--vendor", "dialnexa", "--vendor", "aura")
    assert result.exit_code == 0, result.output
    assert "Contract verdict (fake): PASS" in result.output
    assert "dialnexa  pass" in result.output
    report = json.loads((tmp_path / "reports" / "drift.json").read_text())
    assert set(report["vendors"]) == {"dialnexa", "aura"}
    assert report["exit_code"] == 0
    for name in ("drift.md", "drift.html", "history-fake.json"):
        assert (tmp_path / "reports" / name).is_file()
    assert f"Reports: {tmp_path / 'reports' / 'drift.md'}" in result.output


def test_a_contract_failure_exits_1_and_lists_it(tmp_path, monkeypatch):
    broken_targets(
        monkeypatch,
        defects=[SetValue(operation="GET /campaigns-leads/{id}", status=200, pointer="/status", value="queued")],
    )
    result = drift(tmp_path, "--vendor", "dialnexa")
    assert result.exit_code == 1, result.output
    assert "dialnexa  fail" in result.output
    assert "[error] dialnexa GET /campaigns-leads/{id} -> 200: enum_mismatch at body /status" in result.output


def test_an_unreachable_vendor_is_inconclusive_exit_3(tmp_path, monkeypatch):
    broken_targets(monkeypatch, faults=[Fault(kind="timeout")])
    result = drift(tmp_path, "--vendor", "aura")
    assert result.exit_code == 3, result.output
    assert re.search(r"^aura\s+inconclusive\s+\d+", result.output, re.MULTILINE)
    assert "credentials guard" in result.output
    assert "Traceback" not in result.output
    report = json.loads((tmp_path / "reports" / "drift.json").read_text())
    assert report["vendors"]["aura"]["status"] == "inconclusive"


def test_live_without_any_key_is_a_configuration_error_exit_2(tmp_path, no_live_config):
    result = drift(tmp_path, "--target", "live", "--env-file", str(tmp_path / "missing.env"))
    assert result.exit_code == 2, result.output
    assert "nexor: skipped: not configured: set NEXOR_API_KEY" in result.output
    report = json.loads((tmp_path / "reports" / "drift.json").read_text())
    assert {v["status"] for v in report["vendors"].values()} == {"skipped"}


def test_a_bad_setting_is_a_configuration_error_exit_2(tmp_path, no_live_config):
    no_live_config.setenv("AURA_API_KEY", "aura_pk_live_abcdefghijkl")
    no_live_config.setenv("AURA_REQUEST_BUDGET", "many")
    result = drift(tmp_path, "--target", "live", "--vendor", "aura")
    assert result.exit_code == 2, result.output
    assert "aura: error: AURA_REQUEST_BUDGET: Input should be a valid integer" in result.output


def test_usage_errors_exit_2():
    result = CliRunner().invoke(cli.main, ["drift", "--vendor", "acme"])
    assert result.exit_code == 2
    assert "Invalid value for '--vendor'" in result.output


@pytest.mark.slow
def test_the_second_night_compares_with_the_first_and_survives_a_corrupt_history(tmp_path, monkeypatch):
    broken_targets(
        monkeypatch,
        defects=[SetValue(operation="GET /campaigns-leads/{id}", status=200, pointer="/status", value="queued")],
    )
    assert drift(tmp_path, "--vendor", "dialnexa").exit_code == 1
    second = json.loads(drift_and_read(tmp_path))
    states = {f["id"]: f["state"] for f in second["findings"] if f["severity"] == "error"}
    assert states
    assert set(states.values()) == {"persisting"}
    history = tmp_path / "reports" / "history-fake.json"
    history.write_text("{ not json")
    result = drift(tmp_path, "--vendor", "dialnexa")
    assert result.exit_code == 1
    assert f"history at {history} is unreadable" in result.output
    assert list(history.parent.glob("history-fake.json.corrupt-*"))
    third = json.loads((tmp_path / "reports" / "drift.json").read_text())
    assert {f["state"] for f in third["findings"]} == {"new"}


def drift_and_read(tmp_path: Path) -> str:
    drift(tmp_path, "--vendor", "dialnexa")
    return (tmp_path / "reports" / "drift.json").read_text()


def test_serve_prints_the_environment_and_answers_on_loopback():
    process = subprocess.Popen(
        [sys.executable, "-m", "contracts.cli", "serve", "--port", "0", "--vendor", "nexor", "--vendor", "aura"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        env = read_environment(process, last="AURA_ALLOW_WRITES")
        assert env["NEXOR_BASE_URL"].startswith("http://127.0.0.1:")
        assert env["NEXOR_BASE_URL"].endswith("/nexor/api/public")
        response = httpx.get(
            f"{env['NEXOR_BASE_URL']}/leads/{env['NEXOR_LEAD_ID']}", headers={"X-API-Key": env["NEXOR_API_KEY"]}
        )
        assert response.status_code == 200
        assert response.json()["first_name"] == "Carlos"
        missing = httpx.get(f"{env['AURA_BASE_URL']}/v1/leads/{env['AURA_LEAD_ID']}")
        assert missing.status_code == 401
        assert "POLLYBOT_BASE_URL" not in env
    finally:
        stop(process)


def stop(process: subprocess.Popen[str]) -> None:
    process.send_signal(signal.SIGINT)
    process.wait(timeout=10)
    if process.stdout is not None:
        process.stdout.close()


def read_environment(process: subprocess.Popen[str], *, last: str, timeout: float = 20) -> dict[str, str]:
    assert process.stdout is not None
    env: dict[str, str] = {}
    deadline = time.monotonic() + timeout
    while last not in env:
        assert time.monotonic() < deadline, f"serve printed no {last} within {timeout} s: {env}"
        line = process.stdout.readline()
        assert line, f"serve exited early with {process.poll()}: {env}"
        if "=" in line and line.split("=")[0].isupper():
            name, value = line.strip().split("=", 1)
            env[name] = value
    return env


@pytest.mark.slow
def test_a_live_run_against_contracts_serve_end_to_end(tmp_path):
    """The live path, for real: `contracts serve` in one process, `pytest -m live` in another, with writes and
    outreach allowed: every test runs (none is skipped), and every lead the run created where the vendor documents
    a delete is deleted (the others are listed, with why)."""
    server = subprocess.Popen(
        [sys.executable, "-m", "contracts.cli", "serve", "--port", "0"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        env = read_environment(server, last="AURA_ALLOW_WRITES")
        outreach = {vendor.env("ALLOW_OUTREACH"): "1" for vendor in VENDORS}
        run_env = {**os.environ, **env, **outreach, "CONTRACTS_MAX_EXAMPLES": "2"}
        completed = subprocess.run(
            [
                sys.executable, "-m", "pytest", "-m", "live", "-q", "-p", "no:cacheprovider",
                "--contracts-report", str(tmp_path / "reports"), "--junitxml", str(tmp_path / "junit.xml"),
                str(ROOT / "tests" / "contract"),
            ],
            cwd=ROOT,
            env=run_env,
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )  # fmt: skip
    finally:
        stop(server)
    assert completed.returncode == 0, completed.stdout[-3000:] + completed.stderr[-2000:]
    assert " passed" in completed.stdout
    assert "failed" not in completed.stdout.splitlines()[-1]
    report = json.loads((tmp_path / "reports" / "drift.json").read_text())
    assert report["target"] == "live"
    assert {name: v["status"] for name, v in report["vendors"].items()} == dict.fromkeys(
        [v.name for v in VENDORS], "pass"
    )
    assert report["vendors"]["nexor"]["created"], "live writes were allowed: created leads are listed for clean-up"
    assert all(record["marked"] == "yes" for record in report["vendors"]["nexor"]["created"])
    junit = (tmp_path / "junit.xml").read_text()
    assert re.search(r'<testsuite [^>]*skipped="0"', junit), "with writes and outreach allowed nothing is skipped"
    for vendor in VENDORS:
        entry = report["vendors"][vendor.name]
        assert entry["created"], f"{vendor.name}: the run created leads"
        reasons = {item["reason"] for item in entry["cleanup"]["not_cleaned"]}
        if vendor.cleanup:
            # Only what no documented delete can reach stays: a file upload's leads, which its answer does not name.
            assert all(item["operation"] in vendor.unnamed_creations for item in entry["cleanup"]["not_cleaned"])
            assert entry["cleanup"]["deleted"] >= len({record["id"] for record in entry["created"]})
        else:
            assert reasons == {"not cleaned up: the vendor documents no delete"}, vendor.name


@pytest.mark.parametrize(
    ("planted_in", "defects"),
    [
        # an explicit check inside a probe unit
        pytest.param("contracts.engine.probes.check_response", [], id="probe"),
        # turning a schemathesis failure into findings, inside a property unit's Hypothesis loop
        pytest.param(
            "contracts.engine.property.findings_from_failure",
            [SetValue(operation="GET /v1/leads/{id}", status=404, pointer="/error", value=7)],
            id="property",
        ),
    ],
)
def test_a_bug_inside_a_unit_exits_4_with_its_full_traceback_never_as_drift(tmp_path, monkeypatch, planted_in, defects):
    def planted_bug(*args, **kwargs):
        known: dict[str, int] = {}
        return known["a key the suite forgot"]  # a real bug: a KeyError raised from the suite's own code

    monkeypatch.setattr(planted_in, planted_bug)
    broken_targets(monkeypatch, defects=defects)
    result = drift(tmp_path, "--vendor", "aura")
    assert result.exit_code == 4, result.output
    assert "Traceback (most recent call last)" in result.output
    assert "in planted_bug" in result.output  # the frame that raised, not a summary of it
    assert "KeyError: 'a key the suite forgot'" in result.output
    assert "internal error: this is a bug in the contract suite" in result.output
    assert not (tmp_path / "reports" / "drift.json").exists(), "a bug is never published as a report"


def test_an_unsupported_schemathesis_is_a_one_line_setup_error_exit_2(tmp_path, monkeypatch):
    from contracts.values.errors import IncompatibleDependency

    def refuse(*args, **kwargs):
        raise IncompatibleDependency("schemathesis 4.31.0 is installed; the contract suite supports ...")

    monkeypatch.setattr("contracts.pipeline.open_vendor_run", refuse)
    result = drift(tmp_path, "--vendor", "aura")
    assert result.exit_code == 2, result.output
    assert result.output.strip().splitlines() == [
        "error: schemathesis 4.31.0 is installed; the contract suite supports ..."
    ]


def test_help_imports_no_engine_library():
    """`contracts --help` stays instant because it imports only click and the vendor records.

    Checked by what gets imported, not by timing (benchmarks/bench_startup.py measures the time).
    """
    probe = (
        "import sys\n"
        "from click.testing import CliRunner\n"
        "from contracts import cli\n"
        "for args in (['--help'], ['drift', '--help'], ['serve', '--help']):\n"
        "    assert CliRunner().invoke(cli.main, args).exit_code == 0\n"
        "heavy = ['schemathesis', 'hypothesis', 'jsonschema', 'httpx', 'starlette', 'pydantic', 'yaml', 'jinja2']\n"
        "print(','.join(name for name in heavy if name in sys.modules))\n"
    )
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True, cwd=ROOT)
    assert result.stdout.strip() == "", f"imported at --help time: {result.stdout.strip()}"
