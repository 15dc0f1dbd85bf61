"""An API key never appears in output, reports, logs, JUnit XML or the Hypothesis database.

The key is sent in a header, echoed back by the vendor in a body and inside a URL, and used as a
lead id in a request path, while checks fail; afterwards nothing the run wrote contains it.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from contracts.fakes._core import EchoCredential, SetValue
from contracts.fakes.nexor import NexorFake
from contracts.values.redaction import MASK, Redactor, Secret

ROOT = Path(__file__).resolve().parent.parent
KEY = NexorFake.api_key

LIVE_SUITE = """
import pytest
from contracts.pytest_plugin import assert_contract_holds
from contracts.engine.runner import plan_units
from contracts.engine.context import load_spec
from contracts.vendors import get_vendor

NEXOR = get_vendor("nexor")

@pytest.mark.live
@pytest.mark.parametrize("unit", plan_units(NEXOR, load_spec(NEXOR)), ids=lambda unit: unit.id)
def test_nexor(contract_run, contract_redactor, unit):
    assert_contract_holds(contract_run(NEXOR, "live").run(unit), contract_redactor)
"""


def leaky_nexor() -> NexorFake:
    """A Nexor that echoes the key back (body and a URL in a header), sends a bad email (a warning: Get Lead's
    200 body is contested) and a wrong 404 error (shown on the page): checks fail."""
    return NexorFake(
        defects=[
            EchoCredential(pointer="/echo"),
            SetValue(operation="GET /leads/{id}", status=200, pointer="/email", value=f"{KEY} not an email"),
            SetValue(operation="GET /leads/{id}", status=404, pointer="/error", value=f"{KEY} not found"),
        ]
    )


@pytest.fixture
def live_env(monkeypatch, loopback):
    """Nexor live on loopback, leaking its key (the suite's autouse fixture has removed any other configuration)."""
    monkeypatch.setenv("CONTRACTS_MAX_EXAMPLES", "2")
    server = loopback(nexor=leaky_nexor())
    for name, value in server.served["nexor"].environment().items():
        monkeypatch.setenv(name, value)
    return monkeypatch


def files_containing(root: Path, needle: str) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file() and needle.encode() in p.read_bytes()]


def test_no_key_in_output_junit_logs_reports_or_hypothesis_database(pytester, live_env):
    pytester.makepyfile(test_live=LIVE_SUITE)
    result = pytester.runpytest(
        "-m",
        "live",
        "-p",
        "no:cacheprovider",
        "-vv",
        "-l",
        "--tb=long",
        "--junitxml=junit.xml",
        "--log-file=run.log",
        "--log-file-level=DEBUG",
        "--contracts-report=reports",
    )
    outcomes = result.parseoutcomes()
    assert outcomes.get("failed", 0) >= 1  # the wrong 404 error fails the unknown-id probe and property runs
    output = result.stdout.str() + result.stderr.str()
    assert KEY not in output
    assert MASK in output  # the echoed key was seen and masked, not silently absent
    assert (pytester.path / "junit.xml").is_file()
    assert (pytester.path / "reports" / "drift.json").is_file()
    assert files_containing(pytester.path, KEY) == []
    drift = (pytester.path / "reports" / "drift.json").read_text()
    assert '"/echo"' in drift  # the echo is reported as an undocumented field, its value masked
    assert "SECRET LEAK" not in output


def test_a_key_in_the_request_path_is_masked(pytester, live_env):
    live_env.setenv("NEXOR_LEAD_ID", KEY)
    pytester.makepyfile(test_live=LIVE_SUITE)
    result = pytester.runpytest("-m", "live", "-p", "no:cacheprovider", "--junitxml=junit.xml", "-k", "known")
    result.stdout.fnmatch_lines(["*found no lead '[[]REDACTED[]]'*"])
    assert "SECRET LEAK" not in result.stdout.str()
    assert KEY not in result.stdout.str()
    assert files_containing(pytester.path, KEY) == []


@pytest.mark.slow
def test_the_cli_masks_the_key_everywhere(tmp_path, live_env):
    completed = subprocess.run(
        [sys.executable, "-m", "contracts.cli", "drift", "--target", "live", "--vendor", "nexor", "--out", "reports"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert completed.returncode == 1, completed.stdout + completed.stderr  # the wrong 404 error is a contract failure
    assert KEY not in completed.stdout + completed.stderr
    assert "REDACTED" in (tmp_path / "reports" / "drift.md").read_text()
    assert files_containing(tmp_path, KEY) == []


def test_an_artifact_that_leaks_a_key_fails_the_run(pytester, monkeypatch):
    monkeypatch.setenv("AURA_API_KEY", "aura_pk_live_leaky0000000000000")
    pytester.makepyfile(
        test_leak="""
        from pathlib import Path

        def test_writes_a_secret():
            Path("reports").mkdir(exist_ok=True)
            Path("reports/debug.txt").write_text("token=aura_pk_live_leaky0000000000000")
        """
    )
    result = pytester.runpytest("-p", "no:cacheprovider", "--contracts-report=reports")
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    result.stdout.fnmatch_lines(["SECRET LEAK: the value of AURA_API_KEY appeared in reports/debug.txt (now masked)"])
    assert "aura_pk_live_leaky" not in result.stdout.str()
    assert (pytester.path / "reports" / "debug.txt").read_text() == "token=[REDACTED]"


def test_a_secret_never_shows_its_value():
    secret = Secret("nxr_live_abcdef123456")
    assert "abcdef" not in repr(secret) + str(secret) + f"{secret}"
    with pytest.raises(TypeError):
        __import__("pickle").dumps(secret)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Authorization: Bearer nxr_live_abcdef123456", f"Authorization: Bearer {MASK}"),
        ("https://x/leads?key=nxr_live_abcdef123456&a=1", f"https://x/leads?key={MASK}&a=1"),
        ("key%3A nxr_live_abcdef123456", f"key%3A {MASK}"),
        ("short key abc stays", "short key abc stays"),
    ],
    ids=["header", "url", "embedded", "unrelated"],
)
def test_the_redactor_masks_every_spelling(text, expected):
    assert Redactor([Secret("nxr_live_abcdef123456"), "abc"]).scrub(text) == expected


def test_url_encoded_and_base64_spellings_are_masked():
    redactor = Redactor([Secret("key_id:s3cret/with+chars")])
    assert redactor.scrub("path/key_id%3As3cret%2Fwith%2Bchars/x") == f"path/{MASK}/x"
    assert redactor.scrub("a2V5X2lkOnMzY3JldC93aXRoK2NoYXJz") == MASK
