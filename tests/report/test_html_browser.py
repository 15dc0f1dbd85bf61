"""drift.html in a real headless browser (Debian's ``chromium``): its script runs, its chart renders.

Skipped when ``/usr/bin/chromium`` is absent (install it with ``apt-get install chromium``), except in CI:
with ``CI`` set (GitHub Actions and most CI services set it) or ``CONTRACTS_REQUIRE_BROWSER=1``, a missing browser fails
the check instead, so that CI never skips it silently.
The screenshot is kept in the test's tmp dir (``pytest --basetemp=DIR`` to find it easily).
"""

from __future__ import annotations

import os
import re
import shutil
import struct
import subprocess
from collections.abc import Mapping
from pathlib import Path

import pytest

from contracts.report.model import RunReport
from contracts.report.render import write_reports
from tests.report import golden_report

CHROMIUM = Path("/usr/bin/chromium")
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
]
WINDOW = (1400, 1600)


def required_by(environ: Mapping[str, str]) -> str | None:
    """What makes the browser check mandatory here (``CI`` set, or ``CONTRACTS_REQUIRE_BROWSER=1``), if anything."""
    ci = environ.get("CI", "")
    if ci and ci.lower() not in ("0", "false"):
        return f"CI={ci} is set"
    if environ.get("CONTRACTS_REQUIRE_BROWSER") == "1":
        return "CONTRACTS_REQUIRE_BROWSER=1 is set"
    return None


def find_chromium(environ: Mapping[str, str], browser: Path = CHROMIUM) -> Path:
    """The browser; when it is absent, a failure in CI (which must never skip this check), a skip elsewhere."""
    if browser.is_file():
        return browser
    reason = f"{browser} is absent: install Debian's 'chromium' package (apt-get install chromium)"
    required = required_by(environ)
    if required is not None:
        pytest.fail(f"{required}, where the browser check of drift.html may not skip, but {reason}", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="module")
def chromium() -> Path:
    return find_chromium(os.environ)


@pytest.fixture(scope="module")
def report() -> RunReport:
    return golden_report()


@pytest.fixture(scope="module")
def page(tmp_path_factory: pytest.TempPathFactory, report: RunReport) -> Path:
    return write_reports(report, tmp_path_factory.mktemp("reports"))["html"]


def run_chromium(chromium: Path, profile: Path, *args: str) -> subprocess.CompletedProcess[str]:
    profile.mkdir()
    try:
        completed = subprocess.run(
            [str(chromium), *FLAGS, f"--user-data-dir={profile}", *args],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
            env={**os.environ, "HOME": str(profile)},
        )
    finally:
        shutil.rmtree(profile, ignore_errors=True)
    assert completed.returncode == 0, f"chromium exited with {completed.returncode}:\n{completed.stderr[-2000:]}"
    return completed


def dump_dom(chromium: Path, tmp_path: Path, url: str) -> str:
    return run_chromium(chromium, tmp_path / "profile", "--virtual-time-budget=2000", "--dump-dom", url).stdout


def text_of(dom: str, element_id: str) -> str:
    match = re.search(rf'<[^>]+\bid="{element_id}"[^>]*>([^<]*)<', dom)
    assert match, f"no element #{element_id} in the rendered DOM"
    return match.group(1)


def test_the_script_runs_and_the_chart_renders(chromium: Path, page: Path, report: RunReport, tmp_path: Path) -> None:
    dom = dump_dom(chromium, tmp_path, page.as_uri())

    total = len(report.findings)
    assert text_of(dom, "f-count") == f"Showing {total} of {total} findings", "the filter script did not run"
    svg = re.search(r'<svg id="trend".*?</svg>', dom, flags=re.S)
    assert svg, "no trend chart in the page"
    assert svg.group(0).count("<polyline") >= 3
    assert svg.group(0).count("<circle") >= 10
    assert "<script>alert" not in dom, "a value became markup"
    assert not re.search(r'<tr class="[^"]*\bhidden\b', dom), "no filter is set, yet rows are hidden"


def test_filters_preset_from_the_address_hide_rows(
    chromium: Path, page: Path, report: RunReport, tmp_path: Path
) -> None:
    dom = dump_dom(chromium, tmp_path, page.as_uri() + "#severity=error&state=new")

    wanted = [item for item in report.findings if item.finding.severity == "error" and item.state == "new"]
    assert len(wanted) == 1
    assert text_of(dom, "f-count") == f"Showing 1 of {len(report.findings)} findings"
    rows = re.findall(r'<tr class="is-(\w+)( hidden)?" data-vendor="(\w+)" data-severity="(\w+)"', dom)
    shown = [(state, vendor, severity) for state, hidden, vendor, severity in rows if not hidden]
    assert shown == [("new", wanted[0].finding.vendor, "error")]


def test_screenshot(chromium: Path, page: Path, tmp_path: Path) -> None:
    shot = tmp_path / "drift.png"
    run_chromium(
        chromium,
        tmp_path / "profile",
        "--virtual-time-budget=2000",
        f"--window-size={WINDOW[0]},{WINDOW[1]}",
        f"--screenshot={shot}",
        page.as_uri(),
    )
    data = shot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    assert struct.unpack(">II", data[16:24]) == WINDOW
    assert len(data) > 50_000, "a nearly blank screenshot: the page did not render"
    print(f"screenshot: {shot}")


# --- without a browser: fail in CI, skip elsewhere (these run everywhere, chromium or not) -----------


@pytest.mark.parametrize(
    "environ",
    [{"CI": "true"}, {"CI": "1"}, {"CONTRACTS_REQUIRE_BROWSER": "1"}, {"CI": "true", "CONTRACTS_REQUIRE_BROWSER": "0"}],
    ids=["CI=true", "CI=1", "CONTRACTS_REQUIRE_BROWSER", "CI-wins"],
)
def test_a_missing_browser_fails_the_check_in_ci(tmp_path: Path, environ: dict[str, str]) -> None:
    with pytest.raises(pytest.fail.Exception) as failed:
        find_chromium(environ, tmp_path / "chromium")
    assert "install Debian's 'chromium' package (apt-get install chromium)" in str(failed.value)
    assert "may not skip" in str(failed.value)


@pytest.mark.parametrize(
    "environ", [{}, {"CI": ""}, {"CI": "false"}, {"CI": "0"}], ids=["unset", "empty", "CI=false", "CI=0"]
)
def test_a_missing_browser_skips_the_check_outside_ci(tmp_path: Path, environ: dict[str, str]) -> None:
    with pytest.raises(pytest.skip.Exception, match=r"is absent: install Debian's 'chromium' package"):
        find_chromium(environ, tmp_path / "chromium")


def test_a_present_browser_is_used_in_ci_and_out(tmp_path: Path) -> None:
    browser = tmp_path / "chromium"
    browser.write_bytes(b"")
    assert find_chromium({"CI": "true"}, browser) == find_chromium({}, browser) == browser
