"""What earlier runs found, so that tonight's report can say what is new, persisting and resolved.

The history is one JSON file per target. Writes are atomic (a temporary file
renamed over the old one). A missing history starts fresh; a corrupt one is
moved aside with a clear message and the run starts fresh too: never a crash,
never a lost report.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import Any

from contracts.report.model import ReportedFinding, RunReport, State, TrendPoint, ordered, summarize
from contracts.values.findings import Finding
from contracts.values.results import Status, VendorResult

HISTORY_VERSION = 1
MAX_RUNS = 90
"""Runs kept for the trend chart."""

CHECKED = frozenset({Status.PASS, Status.FAIL})
"""Vendors whose run completed: only for them can a finding that is gone be called resolved."""


@dataclass
class History:
    runs: list[dict[str, Any]] = field(default_factory=list)
    findings: dict[str, dict[str, Any]] = field(default_factory=dict)
    """id -> {"first_seen", "last_seen", "open", "finding"}."""

    def as_dict(self) -> dict[str, Any]:
        return {"version": HISTORY_VERSION, "runs": self.runs, "findings": self.findings}


class HistoryCorrupt(Exception):
    pass


def _parse(data: Any) -> History:
    if not isinstance(data, dict) or data.get("version") != HISTORY_VERSION:
        found = data.get("version") if isinstance(data, dict) else type(data).__name__
        raise HistoryCorrupt(f"not a version {HISTORY_VERSION} history (found {found!r})")
    runs, findings = data.get("runs"), data.get("findings")
    if not isinstance(runs, list) or not isinstance(findings, dict):
        raise HistoryCorrupt("'runs' must be a list and 'findings' an object")
    for index, run in enumerate(runs):
        _check_run(index, run)
    for key, entry in findings.items():
        if not isinstance(entry, dict) or not {"first_seen", "last_seen", "open", "finding"} <= set(entry):
            raise HistoryCorrupt(f"finding {key!r} is incomplete")
        if not (
            isinstance(entry["first_seen"], str)
            and isinstance(entry["last_seen"], str)
            and isinstance(entry["open"], bool)
            and isinstance(entry["finding"], dict)
        ):
            raise HistoryCorrupt(f"finding {key!r} is malformed")
        Finding.from_json(entry["finding"])
    return History(runs=runs, findings=findings)


def _check_run(index: int, run: Any) -> None:
    if not isinstance(run, dict) or not isinstance(run.get("generated_at"), str):
        raise HistoryCorrupt(f"run {index} has no 'generated_at'")
    counts = run.get("counts")
    if not isinstance(counts, dict) or not all(
        isinstance(by_severity, dict) and all(isinstance(number, int) for number in by_severity.values())
        for by_severity in counts.values()
    ):
        raise HistoryCorrupt(f"run {index} has malformed 'counts'")
    if not isinstance(run.get("statuses", {}), dict):
        raise HistoryCorrupt(f"run {index} has malformed 'statuses'")


def _one_line(text: str) -> str:
    return " ".join(text.split())


class HistoryState(StrEnum):
    """Why a run starts without the previous history."""

    MISSING = "missing"
    """No history yet (a first run): nothing to tell the report's readers."""
    UNREADABLE = "unreadable"
    """The file was there but could not be used: it was moved aside, and the report says so."""


@dataclass(frozen=True)
class HistoryNote:
    """A one-line note on the history a run starts from."""

    state: HistoryState
    message: str

    @property
    def belongs_in_report(self) -> bool:
        return self.state is HistoryState.UNREADABLE

    def __str__(self) -> str:
        return self.message


def load_history(path: Path) -> tuple[History, HistoryNote | None]:
    """The history at ``path`` and, when it could not be used, a one-line note saying why.

    A missing file starts fresh. An unreadable one (invalid JSON, another version, a wrong structure)
    is moved aside to ``<name>.corrupt-<UTC stamp>`` (never deleted) and the run starts fresh too.
    """
    if not path.exists():
        return History(), HistoryNote(HistoryState.MISSING, f"no history at {path}: starting fresh")
    try:
        return _parse(json.loads(path.read_text(encoding="utf-8"))), None
    except (OSError, ValueError, KeyError, TypeError, HistoryCorrupt) as error:
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        kept = path.with_name(f"{path.name}.corrupt-{stamp}")
        suffix = 1
        while kept.exists():
            suffix += 1
            kept = path.with_name(f"{path.name}.corrupt-{stamp}-{suffix}")
        try:
            path.replace(kept)
            where = f"moved to {kept}"
        except OSError:
            where = "left in place"
        reason = _one_line(str(error)) or type(error).__name__
        message = f"history at {path} is unreadable ({reason}); {where}; starting fresh"
        return History(), HistoryNote(HistoryState.UNREADABLE, message)


def write_atomic(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` so that a reader sees the old file or the new one, never half of one.

    The text goes to a temporary file in the same directory, is flushed to disk and renamed over
    ``path``; on any failure the temporary file is removed and ``path`` is left as it was. The new
    file keeps the old one's permissions (or gets 0644: readable reports, not mkstemp's 0600).
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        mode = path.stat().st_mode & 0o777
    except OSError:
        mode = 0o644
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as stream:
            stream.write(text)
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(temporary, mode)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def save_history(path: Path, history: History) -> None:
    write_atomic(path, json.dumps(history.as_dict(), indent=1, sort_keys=True) + "\n")


def build_report(
    results: Iterable[VendorResult],
    *,
    target: str,
    run_id: str,
    history: History,
    now: datetime | None = None,
    notes: Iterable[str] = (),
    specs: Mapping[str, Mapping[str, str | None]] | None = None,
) -> tuple[RunReport, History]:
    """Compare tonight's findings with the history; return the report and the updated history.

    A finding is ``new`` unless it was open in the history (``persisting``, keeping its ``first_seen``).
    An open finding that is gone is ``resolved`` only for a vendor whose run completed (pass or fail):
    a vendor skipped, inconclusive or in error tonight keeps its findings open. ``now`` defaults to the
    current time; a naive datetime is taken as UTC. ``specs`` (vendor -> spec version and hash) is recorded
    in the report as is.
    """
    results = list(results)
    moment = now or datetime.now(UTC)
    moment = moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
    stamp = moment.strftime("%Y-%m-%dT%H:%M:%SZ")
    updated = History(runs=list(history.runs), findings=dict(history.findings))
    reported: list[ReportedFinding] = []
    summaries = []
    for result in results:
        current = {finding.fingerprint: finding for finding in result.findings}
        new = 0
        for key, finding in current.items():
            previous = history.findings.get(key)
            persisting = previous is not None and previous["open"]
            first_seen = previous["first_seen"] if persisting and previous else stamp
            new += not persisting
            reported.append(
                ReportedFinding(
                    finding=finding,
                    state=State.PERSISTING if persisting else State.NEW,
                    first_seen=first_seen,
                    last_seen=stamp,
                )
            )
            updated.findings[key] = {
                "first_seen": first_seen,
                "last_seen": stamp,
                "open": True,
                "finding": finding.to_json(),
            }
        resolved = 0
        if result.status in CHECKED:
            for key, entry in history.findings.items():
                if entry["open"] and entry["finding"]["vendor"] == result.vendor and key not in current:
                    resolved += 1
                    reported.append(
                        ReportedFinding(
                            finding=Finding.from_json(entry["finding"]),
                            state=State.RESOLVED,
                            first_seen=entry["first_seen"],
                            last_seen=entry["last_seen"],
                        )
                    )
                    updated.findings[key] = {**entry, "open": False}
        summaries.append(summarize(result, open_findings=list(current.values()), new=new, resolved=resolved))
    counts = {
        summary.name: {k: v for k, v in summary.counts.items() if k in ("error", "warning", "info")}
        for summary in summaries
    }
    updated.runs.append(
        {
            "generated_at": stamp,
            "run_id": run_id,
            "target": target,
            "counts": counts,
            "statuses": {summary.name: str(summary.status) for summary in summaries},
        }
    )
    updated.runs = updated.runs[-MAX_RUNS:]
    trend = tuple(
        TrendPoint(generated_at=run["generated_at"], counts=run["counts"], statuses=run.get("statuses", {}))
        for run in updated.runs
    )
    report = RunReport(
        generated_at=stamp,
        target=target,
        run_id=run_id,
        vendors=tuple(summaries),
        findings=tuple(ordered(reported)),
        trend=trend,
        notes=tuple(notes),
        specs=dict(specs or {}),
    )
    return report, updated
