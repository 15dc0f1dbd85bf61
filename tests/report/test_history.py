"""The history behind new / persisting / resolved: three nights, unreadable histories, atomic writes."""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

from contracts import cli
from contracts.report.history import (
    MAX_RUNS,
    History,
    HistoryState,
    build_report,
    load_history,
    save_history,
    write_atomic,
)
from contracts.report.model import ExitCode, ReportedFinding, RunReport, State
from contracts.report.render import write_reports
from contracts.values.findings import Kind, Severity
from contracts.values.results import Status, VendorResult
from tests.report import finding, result

NIGHT = datetime(2026, 3, 1, 2, 0, tzinfo=UTC)
DRIFT = finding("nexor", Kind.UNDOCUMENTED_FIELD, Severity.WARNING, "/lead/score", observed="42")
OTHER = finding("nexor", Kind.TYPE_MISMATCH, Severity.ERROR, "/lead/phone", operation="POST /leads")


def night(history_file: Path, number: int, results: list[VendorResult]) -> RunReport:
    """One nightly run as the CLI does it: load the history, build the report, save the history."""
    history, _ = load_history(history_file)
    report, updated = build_report(
        results, target="live", run_id=f"night{number}", history=history, now=NIGHT + timedelta(days=number - 1)
    )
    save_history(history_file, updated)
    return report


def states(report: RunReport) -> dict[str, tuple[State, str, str]]:
    return {item.id: (item.state, item.first_seen, item.last_seen) for item in report.findings}


def only(report: RunReport, vendor: str) -> ReportedFinding:
    (item,) = [item for item in report.findings if item.finding.vendor == vendor]
    return item


# --- three nights -------------------------------------------------------------------------------


def test_a_finding_is_new_then_persisting_then_resolved(tmp_path: Path) -> None:
    history_file = tmp_path / "history-live.json"

    first = night(history_file, 1, [result("nexor", Status.PASS, [DRIFT])])
    assert states(first) == {DRIFT.fingerprint: (State.NEW, "2026-03-01T02:00:00Z", "2026-03-01T02:00:00Z")}
    assert first.vendors[0].counts["new"] == 1

    # The observed value changes from one night to the next; the id does not.
    changed = finding("nexor", Kind.UNDOCUMENTED_FIELD, Severity.WARNING, "/lead/score", observed='"high"')
    second = night(history_file, 2, [result("nexor", Status.PASS, [changed])])
    assert changed.fingerprint == DRIFT.fingerprint
    assert states(second) == {DRIFT.fingerprint: (State.PERSISTING, "2026-03-01T02:00:00Z", "2026-03-02T02:00:00Z")}
    assert only(second, "nexor").finding.observed == '"high"'
    assert second.vendors[0].counts["new"] == 0

    third = night(history_file, 3, [result("nexor", Status.PASS, [])])
    assert states(third) == {DRIFT.fingerprint: (State.RESOLVED, "2026-03-01T02:00:00Z", "2026-03-02T02:00:00Z")}
    assert third.vendors[0].counts == {"error": 0, "warning": 0, "info": 0, "new": 0, "resolved": 1}
    assert third.open_findings() == []

    saved = json.loads(history_file.read_text(encoding="utf-8"))
    assert saved["version"] == 1
    assert [run["run_id"] for run in saved["runs"]] == ["night1", "night2", "night3"]
    assert saved["findings"][DRIFT.fingerprint]["open"] is False
    assert [point.generated_at[:10] for point in third.trend] == ["2026-03-01", "2026-03-02", "2026-03-03"]


def test_a_resolved_finding_that_returns_is_new_again(tmp_path: Path) -> None:
    history_file = tmp_path / "history.json"
    night(history_file, 1, [result("nexor", Status.PASS, [DRIFT])])
    night(history_file, 2, [result("nexor", Status.PASS, [])])
    back = night(history_file, 3, [result("nexor", Status.PASS, [DRIFT])])
    assert states(back) == {DRIFT.fingerprint: (State.NEW, "2026-03-03T02:00:00Z", "2026-03-03T02:00:00Z")}


def test_resolution_is_per_vendor(tmp_path: Path) -> None:
    history_file = tmp_path / "history.json"
    aura = finding("aura", Kind.NEVER_PRESENT, Severity.INFO, "/data/title", operation="GET /v1/leads/{id}")
    night(history_file, 1, [result("nexor", Status.PASS, [DRIFT]), result("aura", Status.PASS, [aura])])
    # Only nexor runs tonight (``--vendor nexor``): aura's finding is neither resolved nor forgotten.
    second = night(history_file, 2, [result("nexor", Status.PASS, [DRIFT])])
    assert states(second) == {DRIFT.fingerprint: (State.PERSISTING, "2026-03-01T02:00:00Z", "2026-03-02T02:00:00Z")}
    third = night(history_file, 3, [result("aura", Status.PASS, [aura])])
    assert only(third, "aura").state is State.PERSISTING


@pytest.mark.parametrize(
    ("status", "reason"),
    [
        pytest.param(Status.SKIPPED, "NEXOR_API_KEY is not set", id="skipped"),
        pytest.param(Status.INCONCLUSIVE, "rate-limited beyond the budget", id="inconclusive"),
        pytest.param(Status.ERROR, "NEXOR_API_KEY was rejected", id="error"),
    ],
)
def test_a_vendor_not_fully_checked_resolves_nothing(tmp_path: Path, status: Status, reason: str) -> None:
    history_file = tmp_path / "history.json"
    night(history_file, 1, [result("nexor", Status.PASS, [DRIFT, OTHER])])

    # Night 2 does not fully check nexor, and sees at most one of its two findings.
    seen = [OTHER] if status is Status.INCONCLUSIVE else []
    second = night(history_file, 2, [result("nexor", status, seen, reason=reason)])
    assert second.by_state(State.RESOLVED) == []
    assert second.vendors[0].counts["resolved"] == 0
    entries = json.loads(history_file.read_text(encoding="utf-8"))["findings"]
    assert entries[DRIFT.fingerprint]["open"] is True
    assert entries[DRIFT.fingerprint]["last_seen"] == "2026-03-01T02:00:00Z"

    # Night 3 checks nexor completely: the finding it still shows persists since night 1, the other is resolved.
    third = night(history_file, 3, [result("nexor", Status.PASS, [DRIFT])])
    assert states(third) == {
        DRIFT.fingerprint: (State.PERSISTING, "2026-03-01T02:00:00Z", "2026-03-03T02:00:00Z"),
        OTHER.fingerprint: (
            State.RESOLVED,
            "2026-03-01T02:00:00Z",
            "2026-03-02T02:00:00Z" if status is Status.INCONCLUSIVE else "2026-03-01T02:00:00Z",
        ),
    }


def test_a_failing_vendor_resolves_what_it_no_longer_shows(tmp_path: Path) -> None:
    history_file = tmp_path / "history.json"
    night(history_file, 1, [result("nexor", Status.PASS, [DRIFT])])
    second = night(history_file, 2, [result("nexor", Status.FAIL, [OTHER])])
    assert {item.id: item.state for item in second.findings} == {
        OTHER.fingerprint: State.NEW,
        DRIFT.fingerprint: State.RESOLVED,
    }
    assert second.exit_code is ExitCode.CONTRACT_FAILURE


def test_the_history_keeps_the_last_runs_only() -> None:
    history = History()
    for number in range(MAX_RUNS + 5):
        _, history = build_report(
            [result("nexor", Status.PASS)],
            target="live",
            run_id=f"r{number}",
            history=history,
            now=NIGHT + timedelta(days=number),
        )
    assert len(history.runs) == MAX_RUNS
    assert history.runs[0]["run_id"] == "r5"


def test_a_timestamp_is_utc_whatever_the_zone_given() -> None:
    from zoneinfo import ZoneInfo

    paris = datetime(2026, 3, 1, 3, 0, tzinfo=ZoneInfo("Europe/Paris"))
    report, _ = build_report([], target="live", run_id="r", history=History(), now=paris)
    assert report.generated_at == "2026-03-01T02:00:00Z"


def test_save_and_load_round_trip(tmp_path: Path) -> None:
    _, history = build_report(
        [result("nexor", Status.FAIL, [DRIFT, OTHER])], target="live", run_id="r", history=History(), now=NIGHT
    )
    save_history(tmp_path / "h.json", history)
    loaded, note = load_history(tmp_path / "h.json")
    assert note is None
    assert loaded == history


# --- missing and unreadable histories -----------------------------------------------------------


def test_a_missing_history_starts_fresh_with_a_note(tmp_path: Path) -> None:
    history, note = load_history(tmp_path / "history-live.json")
    assert history == History()
    assert note is not None
    assert note.state is HistoryState.MISSING
    assert not note.belongs_in_report
    assert str(note) == f"no history at {tmp_path / 'history-live.json'}: starting fresh"


def _valid() -> dict:
    _, history = build_report(
        [result("nexor", Status.PASS, [DRIFT])], target="live", run_id="r", history=History(), now=NIGHT
    )
    return history.as_dict()


CORRUPT = [
    pytest.param(b'{"version": 1, "runs": [', "Expecting value", id="truncated-json"),
    pytest.param(b"", "Expecting value", id="empty-file"),
    pytest.param(b"\xff\xfe\x00garbage", "utf-8", id="not-utf8"),
    pytest.param(b"[1, 2, 3]", "not a version 1 history (found 'list')", id="not-an-object"),
    pytest.param(json.dumps({**_valid(), "version": 99}).encode(), "(found 99)", id="wrong-version"),
    pytest.param(json.dumps({**_valid(), "runs": {}}).encode(), "'runs' must be a list", id="runs-not-a-list"),
    pytest.param(
        json.dumps({**_valid(), "runs": [{"counts": {}}]}).encode(), "run 0 has no 'generated_at'", id="run-no-date"
    ),
    pytest.param(
        json.dumps({**_valid(), "runs": [{"generated_at": "x", "counts": {"nexor": [1]}}]}).encode(),
        "run 0 has malformed 'counts'",
        id="run-bad-counts",
    ),
    pytest.param(
        json.dumps({**_valid(), "findings": {"abc": {"open": True}}}).encode(),
        "finding 'abc' is incomplete",
        id="finding-incomplete",
    ),
    pytest.param(
        json.dumps(
            {
                **_valid(),
                "findings": {"abc": {"first_seen": "x", "last_seen": "x", "open": "yes", "finding": {}}},
            }
        ).encode(),
        "finding 'abc' is malformed",
        id="finding-malformed",
    ),
    pytest.param(
        json.dumps(
            {
                **_valid(),
                "findings": {
                    "abc": {
                        "first_seen": "x",
                        "last_seen": "x",
                        "open": True,
                        "finding": {**DRIFT.to_json(), "kind": 7},
                    }
                },
            }
        ).encode(),
        "is not a valid Kind",
        id="finding-bad-kind",
    ),
]


@pytest.mark.parametrize(("content", "reason"), CORRUPT)
def test_an_unreadable_history_is_moved_aside_and_the_run_starts_fresh(
    tmp_path: Path, content: bytes, reason: str
) -> None:
    history_file = tmp_path / "history-live.json"
    history_file.write_bytes(content)

    history, loaded_note = load_history(history_file)

    assert history == History()
    assert loaded_note is not None
    assert loaded_note.state is HistoryState.UNREADABLE
    assert loaded_note.belongs_in_report
    note = str(loaded_note)
    assert "\n" not in note
    assert note.startswith(f"history at {history_file} is unreadable (")
    assert reason in note
    assert note.endswith("; starting fresh")
    (kept,) = tmp_path.glob("history-live.json.corrupt-*")
    assert f"moved to {kept}" in note
    assert kept.read_bytes() == content, "the corrupt history is kept for inspection, byte for byte"
    assert not history_file.exists()

    # The night goes on: reports are written and a fresh history is saved.
    report, updated = build_report(
        [result("nexor", Status.PASS, [DRIFT])], target="live", run_id="r", history=history, now=NIGHT, notes=[note]
    )
    paths = write_reports(report, tmp_path)
    save_history(history_file, updated)
    data = json.loads(paths["json"].read_text(encoding="utf-8"))
    assert data["notes"] == [note]
    assert data["findings"][0]["state"] == "new"
    assert "is unreadable" in paths["markdown"].read_text(encoding="utf-8")
    assert load_history(history_file) == (updated, None)


def test_two_corrupt_histories_in_the_same_second_are_both_kept(tmp_path: Path) -> None:
    history_file = tmp_path / "history.json"
    for content in (b"first", b"second"):
        history_file.write_bytes(content)
        load_history(history_file)
    assert sorted(path.read_bytes() for path in tmp_path.glob("history.json.corrupt-*")) == [b"first", b"second"]


@pytest.mark.slow
def test_the_cli_survives_a_corrupt_history(tmp_path: Path) -> None:
    """End to end: ``contracts drift`` with a corrupt history still writes its reports and says why."""
    out = tmp_path / "reports"
    out.mkdir()
    (out / "history-fake.json").write_text("{not json", encoding="utf-8")

    outcome = CliRunner().invoke(cli.main, ["drift", "--vendor", "dialnexa", "--out", str(out)])

    assert outcome.exit_code == ExitCode.OK, outcome.output
    assert "is unreadable" in outcome.output
    assert {"drift.json", "drift.md", "drift.html", "history-fake.json"} <= {path.name for path in out.iterdir()}
    (kept,) = out.glob("history-fake.json.corrupt-*")
    assert kept.read_text(encoding="utf-8") == "{not json"
    assert "is unreadable" in (out / "drift.md").read_text(encoding="utf-8")
    history, note = load_history(out / "history-fake.json")
    assert note is None
    assert len(history.runs) == 1


# --- atomic writes ------------------------------------------------------------------------------


def _leftovers(directory: Path, name: str) -> list[str]:
    return sorted(path.name for path in directory.iterdir() if path.name != name)


@pytest.mark.parametrize(
    "failing",
    [
        pytest.param("replace", id="rename-fails"),
        pytest.param("fsync", id="flush-to-disk-fails"),
        pytest.param("chmod", id="chmod-fails"),
    ],
)
def test_a_failed_write_leaves_the_old_file_and_no_temporary(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, failing: str
) -> None:
    target = tmp_path / "drift.json"
    target.write_text("old report\n", encoding="utf-8")

    def broken(*args: object, **kwargs: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, failing, broken)
    with pytest.raises(OSError, match="No space left"):
        write_atomic(target, "new report\n" * 1000)
    monkeypatch.undo()

    assert target.read_text(encoding="utf-8") == "old report\n"
    assert _leftovers(tmp_path, "drift.json") == []


def test_an_interrupted_write_leaves_the_old_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Even ``KeyboardInterrupt`` half-way through the write cleans up."""
    target = tmp_path / "history.json"
    save_history(target, History(runs=[{"generated_at": "x", "counts": {}}]))
    before = target.read_bytes()
    real_fsync = os.fsync

    def interrupted(fd: int) -> None:
        real_fsync(fd)
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "fsync", interrupted)
    with pytest.raises(KeyboardInterrupt):
        save_history(target, History())
    assert target.read_bytes() == before
    assert _leftovers(tmp_path, "history.json") == []


def test_a_successful_write_replaces_the_file_and_keeps_its_mode(tmp_path: Path) -> None:
    target = tmp_path / "sub" / "drift.md"
    write_atomic(target, "first\n")
    assert target.stat().st_mode & 0o777 == 0o644
    target.chmod(0o640)
    write_atomic(target, "second ✓\n")
    assert target.read_text(encoding="utf-8") == "second ✓\n"
    assert target.stat().st_mode & 0o777 == 0o640
    assert _leftovers(target.parent, "drift.md") == []
