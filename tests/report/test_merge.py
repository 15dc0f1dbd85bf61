"""drift.json read back and merged: three synthetic nights split by vendor give the single run's reports.

Each night, every vendor's result goes through its own "job" (its own history, its own time and run id,
its drift.json written and read back); ``merge_runs`` puts them together and ``build_report`` publishes
them against the merged history at the single run's time and run id. The merged drift.json, drift.md,
drift.html and history are then byte for byte the single run's: nothing needs normalising here, since the
test sets the time and the run id (tests/test_report_merge.py does the same with real runs of the fakes).
"""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest

from contracts.report.history import History, build_report
from contracts.report.merge import MISSING_REPORT, ReportInputError, merge_runs, read_report
from contracts.report.model import REPORT_FORMAT_VERSION, ExitCode
from contracts.report.render import render_html, render_json, render_markdown
from contracts.values.results import Status
from tests.report import NIGHT_TIMES, RUN_IDS, TITLES, night_results

SPECS = {name: {"version": "1.0.0", "sha256": f"{index:064x}"} for index, name in enumerate(TITLES)}
VENDORS = list(TITLES.items())


def write_vendor_report(tmp_path: Path, night: int, history: History, result) -> tuple[Path, History]:
    """One vendor's job: its own history, an hour earlier, its own run id; drift.json as the CLI writes it."""
    report, updated = build_report(
        [result],
        target="live",
        run_id=f"{result.vendor}-{night}",
        history=history,
        now=NIGHT_TIMES[night - 1] - timedelta(hours=1),
        specs=SPECS,
    )
    path = tmp_path / f"night{night}" / result.vendor / "drift.json"
    path.parent.mkdir(parents=True)
    path.write_text(render_json(report), encoding="utf-8")
    return path, updated


def test_three_nights_split_by_vendor_merge_into_the_single_runs_reports(tmp_path: Path) -> None:
    single_history, merged_history = History(), History()
    vendor_histories = {name: History() for name in TITLES}
    for night in (1, 2, 3):
        results = night_results(night)
        single, single_history = build_report(
            results,
            target="live",
            run_id=RUN_IDS[night - 1],
            history=single_history,
            now=NIGHT_TIMES[night - 1],
            specs=SPECS,
        )
        paths = []
        for result in results:
            path, vendor_histories[result.vendor] = write_vendor_report(
                tmp_path, night, vendor_histories[result.vendor], result
            )
            paths.append(path)
        target, merged_results = merge_runs(
            [read_report(path) for path in reversed(paths)], vendors=VENDORS, target=None, specs=SPECS
        )
        assert target == "live"
        merged, merged_history = build_report(
            merged_results,
            target=target,
            run_id=RUN_IDS[night - 1],
            history=merged_history,
            now=NIGHT_TIMES[night - 1],
            specs=SPECS,
        )
        assert render_json(merged) == render_json(single), f"night {night}"
        assert render_markdown(merged) == render_markdown(single), f"night {night}"
        assert render_html(merged) == render_html(single), f"night {night}"
        assert merged_history.as_dict() == single_history.as_dict(), f"night {night}"
    assert merged.exit_code is ExitCode.USAGE_ERROR  # night three has every status, acme's error included
    # The vendors' own histories resolved findings on night three: the merge took only the open ones.
    assert any(item["state"] == "resolved" for item in json.loads(paths[0].read_text())["findings"])


def test_drift_json_carries_its_format_version_and_specs() -> None:
    report, _ = build_report(night_results(1), target="live", run_id="r", history=History(), specs=SPECS)
    data = json.loads(render_json(report))
    assert data["format_version"] == REPORT_FORMAT_VERSION == 2
    assert data["specs"] == SPECS


def test_a_vendor_without_a_report_is_an_error(tmp_path: Path) -> None:
    path, _ = write_vendor_report(tmp_path, 1, History(), night_results(1)[0])
    _, results = merge_runs([read_report(path)], vendors=VENDORS, target="live", specs=SPECS)
    assert [(result.vendor, result.status) for result in results] == [
        ("nexor", Status.PASS),
        *((name, Status.ERROR) for name in TITLES if name != "nexor"),
    ]
    assert results[1].reason == MISSING_REPORT


def report_file(tmp_path: Path, name: str, **changes) -> Path:
    """A valid drift.json of night one (all five vendors), with top-level ``changes`` (None deletes a key)."""
    report, _ = build_report(night_results(1), target="live", run_id="r", history=History(), specs=SPECS)
    data = {**report.as_dict(), **changes}
    path = tmp_path / name
    path.write_text(json.dumps({key: value for key, value in data.items() if value is not None}))
    return path


def refusal(paths: list[Path], *, target: str | None = None) -> str:
    with pytest.raises(ReportInputError) as caught:
        merge_runs([read_report(path) for path in paths], vendors=VENDORS, target=target, specs=SPECS)
    message = str(caught.value)
    assert "\n" not in message
    return message


def test_other_targets_specs_and_duplicates_are_refused(tmp_path: Path) -> None:
    live = report_file(tmp_path, "live.json")
    fake = report_file(tmp_path, "fake.json", target="fake")
    assert refusal([live, fake]) == (
        f"{fake}: a run against the fake target, not live: reports of different targets are never merged"
    )
    assert refusal([live], target="fake").startswith(f"{live}: a run against the live target, not fake")
    other = report_file(tmp_path, "other.json", specs={**SPECS, "aura": {"version": "1.1.0", "sha256": "f" * 64}})
    assert refusal([other]) == (
        f"{other}: made from another aura spec (version '1.1.0' (sha256 ffffffffffff)) than this checkout's "
        f"(version '1.0.0' (sha256 000000000000)): reports of different specs are never merged"
    )
    assert refusal([live, live]) == f"{live}: nexor is also in {live}: each vendor's report is merged once"
    with pytest.raises(ReportInputError, match="acme is not among the vendors merged"):
        merge_runs([read_report(live)], vendors=VENDORS[:4], target=None, specs=SPECS)
    with pytest.raises(ReportInputError, match="no report to merge"):
        merge_runs([], vendors=VENDORS, target=None, specs=SPECS)


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        pytest.param(None, "{path}: no such file", id="missing"),
        pytest.param('{"vendors": {', "{path}: not JSON (Expecting property name", id="truncated"),
        pytest.param("[]", "{path}: not a drift report (no 'vendors')", id="not-an-object"),
        pytest.param(b"\xff\xfe", "{path}: unreadable (", id="not-utf8"),
    ],
)
def test_an_unreadable_report_is_one_line_naming_the_file(tmp_path: Path, content, expected: str) -> None:
    path = tmp_path / "drift.json"
    if isinstance(content, bytes):
        path.write_bytes(content)
    elif content is not None:
        path.write_text(content)
    with pytest.raises(ReportInputError) as caught:
        read_report(path)
    assert str(caught.value).startswith(expected.format(path=path))
    assert "\n" not in str(caught.value)


@pytest.mark.parametrize("version", [None, 1, 3, "2"])
def test_another_format_version_is_refused(tmp_path: Path, version) -> None:
    path = report_file(tmp_path, "drift.json", format_version=version)
    with pytest.raises(ReportInputError) as caught:
        read_report(path)
    found = 1 if version is None else version
    assert str(caught.value) == (
        f"{path}: drift.json format version {found!r}, but this suite merges version 2 only"
        " (write the reports with this version of the suite)"
    )


def test_a_malformed_report_names_the_file_and_the_field(tmp_path: Path) -> None:
    good = json.loads(report_file(tmp_path, "good.json").read_text())
    cases = {
        "requests": ("vendors", "nexor", "requests"),
        "status": ("vendors", "pollybot", "status"),
        "specs": ("specs",),
    }
    for name, keys in cases.items():
        data = json.loads(json.dumps(good))
        holder = data
        for key in keys[:-1]:
            holder = holder[key]
        holder[keys[-1]] = "many"
        path = tmp_path / f"{name}.json"
        path.write_text(json.dumps(data))
        with pytest.raises(ReportInputError) as caught:
            read_report(path)
        assert str(caught.value).startswith(f"{path}: malformed drift report ("), caught.value
    data = json.loads(json.dumps(good))
    data["findings"][0]["path"] = "/edited/by/hand"
    path = tmp_path / "edited.json"
    path.write_text(json.dumps(data))
    with pytest.raises(ReportInputError, match=r"findings\[0\] has id '[0-9a-f]{16}', but its content is"):
        read_report(path)


def test_a_report_written_before_the_clean_up_ledger_merges_with_nothing_cleaned(tmp_path: Path) -> None:
    """``cleanup`` is additive: a drift.json without it reads back as nothing deleted and nothing left."""
    path, _ = write_vendor_report(tmp_path, 3, History(), night_results(3)[0])
    data = json.loads(path.read_text())
    assert data["vendors"]["nexor"]["cleanup"]["deleted"] == 2
    del data["vendors"]["nexor"]["cleanup"]
    path.write_text(json.dumps(data))
    (merged,) = read_report(path).results
    assert merged.cleanup.deleted == 0
    assert merged.cleanup.not_cleaned == ()
