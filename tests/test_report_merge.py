"""``contracts report merge``: a night split by vendor, merged, reports what one run over all vendors reports.

The nightly workflow runs ``contracts drift --vendor X`` in one job per vendor and merges the reports
(ci/nightly-drift.yml). Here the same happens against the built-in fakes (DialNexa's with a broken
contract, so that the night has a contract failure). Two runs of the fakes do not send exactly the same
requests (Hypothesis), so the single run over all vendors is the publish step of ``contracts drift``
(``pipeline.publish``) given the very results the per-vendor runs produced: the comparison is about the
merge, not about the fakes' determinism. Both start from the same history (a finding persisting, one
resolved). What differs between the two publishes, and only that, is normalised before comparing
(``normalised``): the run's time (``generated_at``, and the same stamp as tonight's ``first_seen`` and
``last_seen``, the last trend point's and the history's last run's ``generated_at``) and its ``run_id``.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from contracts import cli
from contracts.engine.context import load_spec
from contracts.fakes._core import SetValue
from contracts.pipeline import publish, spec_fingerprints
from contracts.report.history import History, build_report
from contracts.report.render import render_json
from contracts.transport.targets import fake_target
from contracts.values.findings import Finding, Kind, Severity
from contracts.values.redaction import Redactor
from contracts.values.results import Status, VendorResult
from contracts.vendors import VENDORS

BROKEN = SetValue(operation="GET /campaigns-leads/{id}", status=200, pointer="/status", value="queued")
GONE = Finding(
    vendor="nexor",
    operation="GET /leads/{id}",
    status_code=200,
    kind=Kind.UNDOCUMENTED_FIELD,
    severity=Severity.WARNING,
    path="/gone",
    expected="nothing",
    observed="1",
    check="drift_observation",
)
"""Open in the starting history; the fakes never report it, so tonight resolves it."""


def invoke(*args: str | Path) -> Result:
    return CliRunner().invoke(cli.main, [str(arg) for arg in args])


@pytest.fixture
def dialnexa_broken(monkeypatch: pytest.MonkeyPatch) -> None:
    """DialNexa's fake breaks a documented enum; the other fakes are as built."""

    def target(vendor, kind, *, env_file, max_examples=None):
        spec = load_spec(vendor)
        defects = [BROKEN] if vendor.name == "dialnexa" else []
        return fake_target(vendor.fake(defects=defects), base_url=spec.server_url).with_limits(
            max_examples=max_examples
        )

    monkeypatch.setattr("contracts.pipeline.select_target", target)


def starting_history(persisting: dict[str, Any]) -> dict[str, Any]:
    """A night before: GONE open (to be resolved tonight), ``persisting`` open since January."""
    findings = {
        GONE.fingerprint: {"first_seen": "2026-01-01T03:17:00Z", "last_seen": "2026-01-01T03:17:00Z"},
        persisting["id"]: {"first_seen": "2026-01-01T03:17:00Z", "last_seen": "2026-01-01T03:17:00Z"},
    }
    finding_json = {GONE.fingerprint: GONE.to_json(), persisting["id"]: Finding.from_json(persisting).to_json()}
    return {
        "version": 1,
        "runs": [
            {
                "generated_at": "2026-01-01T03:17:00Z",
                "run_id": "earlier",
                "target": "fake",
                "counts": {"nexor": {"error": 0, "warning": 1, "info": 0}},
                "statuses": {"nexor": "pass"},
            }
        ],
        "findings": {key: {**entry, "open": True, "finding": finding_json[key]} for key, entry in findings.items()},
    }


def normalised(data: Any, stamp: str, run_id: str) -> Any:
    """``data`` with this run's time and id replaced by placeholders."""
    if isinstance(data, dict):
        return {key: normalised(value, stamp, run_id) for key, value in data.items()}
    if isinstance(data, list):
        return [normalised(value, stamp, run_id) for value in data]
    if data == stamp:
        return "<now>"
    if data == run_id:
        return "<run id>"
    return data


def read_normalised(out: Path) -> tuple[Any, Any, str]:
    report = json.loads((out / "drift.json").read_text())
    stamp, run_id = report["generated_at"], report["run_id"]
    history = json.loads((out / "history-fake.json").read_text())
    markdown = (out / "drift.md").read_text().replace(stamp, "<now>")
    return normalised(report, stamp, run_id), normalised(history, stamp, run_id), markdown


@pytest.mark.usefixtures("dialnexa_broken")
@pytest.mark.slow
def test_a_night_split_by_vendor_merges_into_what_one_run_over_all_vendors_reports(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    results: list[VendorResult] = []

    def recording_publish(vendor_results, **kwargs):
        results.extend(vendor_results)
        return publish(vendor_results, **kwargs)

    monkeypatch.setattr("contracts.pipeline.publish", recording_publish)
    split = tmp_path / "split"
    for vendor in VENDORS:
        result = invoke("drift", "--vendor", vendor.name, "--out", split / vendor.name, "--max-examples", "3")
        assert result.exit_code == (1 if vendor.name == "dialnexa" else 0), result.output
    dialnexa = json.loads((split / "dialnexa" / "drift.json").read_text())
    persisting = next(item for item in dialnexa["findings"] if item["severity"] == "error")
    history = json.dumps(starting_history(persisting))
    for out in (tmp_path / "single", tmp_path / "merged"):
        out.mkdir()
        (out / "history-fake.json").write_text(history)

    assert [result.vendor for result in results] == [vendor.name for vendor in VENDORS]
    single = publish(results, target="fake", run_id="single", out=tmp_path / "single", redactor=Redactor())
    merged = invoke("report", "merge", "--out", tmp_path / "merged", *(split / vendor.name for vendor in VENDORS))

    assert merged.exit_code == single.report.exit_code == 1, merged.output
    single_report, single_history, single_md = read_normalised(tmp_path / "single")
    merged_report, merged_history, merged_md = read_normalised(tmp_path / "merged")
    assert merged_report == single_report
    assert merged_history == single_history
    assert merged_md == single_md
    # What the comparison covered: four vendors, a contract failure, all three states, tonight's spec set.
    assert set(merged_report["vendors"]) == {vendor.name for vendor in VENDORS}
    assert merged_report["vendors"]["dialnexa"]["status"] == "fail"
    states = {item["id"]: item["state"] for item in merged_report["findings"]}
    assert states[persisting["id"]] == "persisting"
    assert states[GONE.fingerprint] == "resolved"
    assert "new" in states.values()
    assert merged_report["specs"] == spec_fingerprints(VENDORS)
    assert "Contract verdict (fake): FAIL" in merged.output


def vendor_report(path: Path, vendor: str, *, target: str = "fake", **changes: Any) -> Path:
    """A drift.json as ``contracts drift --vendor VENDOR`` writes it (this checkout's specs), with ``changes``."""
    title = next(item.title for item in VENDORS if item.name == vendor)
    result = VendorResult(vendor=vendor, title=title, target=target, status=Status.PASS, requests=3)
    report, _ = build_report(
        [result], target=target, run_id=vendor, history=History(), specs=spec_fingerprints(VENDORS)
    )
    path.mkdir(parents=True, exist_ok=True)
    (path / "drift.json").write_text(json.dumps({**json.loads(render_json(report)), **changes}))
    return path / "drift.json"


@pytest.fixture
def inputs(tmp_path: Path) -> list[Path]:
    return [vendor_report(tmp_path / "in" / vendor.name, vendor.name) for vendor in VENDORS]


@pytest.fixture
def earlier(tmp_path: Path) -> dict[str, str]:
    """A merged night already in ``out``: a refused merge must leave every one of these files as it was."""
    out = tmp_path / "out"
    out.mkdir()
    files = {name: f"earlier {name}\n" for name in ("drift.json", "drift.md", "drift.html", "history-fake.json")}
    for name, text in files.items():
        (out / name).write_text(text)
    return files


def refused(tmp_path: Path, earlier: dict[str, str], *args: str | Path) -> str:
    result = invoke("report", "merge", "--out", tmp_path / "out", *args)
    assert result.exit_code == 2, result.output
    assert {path.name: path.read_text() for path in (tmp_path / "out").iterdir()} == earlier
    (line,) = result.output.splitlines()
    return line


def test_merging_the_fakes_reports_passes_and_a_vendor_without_one_is_an_error(tmp_path, inputs) -> None:
    result = invoke("report", "merge", "--out", tmp_path / "out", *inputs)
    assert result.exit_code == 0, result.output
    assert {path.name for path in (tmp_path / "out").iterdir()} == {
        "drift.json",
        "drift.md",
        "drift.html",
        "history-fake.json",
    }
    result = invoke("report", "merge", "--out", tmp_path / "out2", inputs[0].parent, *inputs[2:])
    assert result.exit_code == 2, result.output
    report = json.loads((tmp_path / "out2" / "drift.json").read_text())
    assert report["vendors"]["pollybot"]["status"] == "error"
    assert "no report from this vendor's run" in report["vendors"]["pollybot"]["reason"]
    assert report["vendors"]["nexor"]["status"] == "pass"


def test_a_live_nightly_with_no_report_at_all_still_writes_one(tmp_path) -> None:
    result = invoke("report", "merge", "--target", "live", "--out", tmp_path / "out")
    assert result.exit_code == 2, result.output
    report = json.loads((tmp_path / "out" / "drift.json").read_text())
    assert {vendor["status"] for vendor in report["vendors"].values()} == {"error"}
    assert (tmp_path / "out" / "history-live.json").is_file()


def test_reports_of_different_targets_are_refused(tmp_path, inputs, earlier) -> None:
    live = vendor_report(tmp_path / "in" / "live", "aura", target="live")
    line = refused(tmp_path, earlier, *inputs[:3], live)
    assert (
        line == f"error: {live}: a run against the live target, not fake: reports of different targets are never merged"
    )
    line = refused(tmp_path, earlier, "--target", "live", *inputs)
    assert line.startswith(f"error: {inputs[0]}: a run against the fake target, not live")


def test_reports_of_other_specs_are_refused(tmp_path, inputs, earlier) -> None:
    specs = spec_fingerprints(VENDORS)
    specs["aura"] = {**specs["aura"], "version": "0.9.0"}
    other = vendor_report(tmp_path / "in" / "old-aura", "aura", specs=specs)
    line = refused(tmp_path, earlier, *inputs[:3], other)
    assert line.startswith(f"error: {other}: made from another aura spec (version '0.9.0'")
    assert line.endswith("reports of different specs are never merged")


@pytest.mark.parametrize("problem", ["missing", "corrupt", "format_version"])
def test_a_missing_or_corrupt_report_is_one_line_naming_it_and_nothing_is_written(
    tmp_path, inputs, earlier, problem
) -> None:
    bad = inputs[1]
    if problem == "missing":
        bad.unlink()
    elif problem == "corrupt":
        bad.write_text(bad.read_text()[:100])
    else:
        vendor_report(bad.parent, "pollybot", format_version=3)
    line = refused(tmp_path, earlier, *inputs)
    assert line.startswith(f"error: {bad}: ")
    if problem == "format_version":
        assert "format version 3, but this suite merges version 2 only" in line


def test_the_same_vendor_twice_is_refused(tmp_path, inputs, earlier) -> None:
    copy = tmp_path / "in" / "again"
    shutil.copytree(inputs[0].parent, copy)
    line = refused(tmp_path, earlier, *inputs, copy)
    assert line == f"error: {copy / 'drift.json'}: nexor is also in {inputs[0]}: each vendor's report is merged once"


def test_what_merge_writes_is_scanned_for_keys(tmp_path, inputs, monkeypatch) -> None:
    key = "nxr_live_0123456789abcdef0123"
    monkeypatch.setenv("NEXOR_API_KEY", key)
    data = json.loads(inputs[0].read_text())
    data["vendors"]["nexor"]["reason"] = f"echoed {key}"
    inputs[0].write_text(json.dumps(data))
    result = invoke("report", "merge", "--out", tmp_path / "out", *inputs)
    assert result.exit_code == 2, result.output
    assert "SECRET LEAK: the value of NEXOR_API_KEY appeared in" in result.output
    assert not [path for path in (tmp_path / "out").iterdir() if key in path.read_text()]
