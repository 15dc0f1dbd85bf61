"""``drift.json`` read back, so that the reports of a run split by vendor merge into one.

A nightly that scales past one machine runs ``contracts drift --vendor X`` once per vendor (one CI job
each) and then ``contracts report merge``. ``read_report`` turns each ``drift.json`` back into what its run
found: the target, the run id, the specs it checked against and, per vendor, the ``VendorResult`` its
reports were built from (the findings open in that run; the ones it reported resolved belonged to that
job's own history, not to the run). ``merge_runs`` checks that the reports belong together (one format
version, one target, the same specs, each vendor once) and returns the results in the suite's vendor
order, a vendor without a report as an error. ``pipeline.merge_reports`` publishes those results against
the merged history exactly as a run over every vendor publishes its own, so the merged reports are the
ones that run would have written.

Every problem with an input is a ``ReportInputError`` whose message is one line naming the file.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from contracts.report.model import REPORT_FORMAT_VERSION, State
from contracts.values.evidence import LEVELS
from contracts.values.findings import Finding
from contracts.values.model import CheckExclusion
from contracts.values.results import Cleanup, Coverage, FactKind, Outcome, RateLimited, Status, VendorResult

Specs = Mapping[str, Mapping[str, str | None]]
"""vendor -> ``{"version": info.version, "sha256": of the spec file}`` (``RunReport.specs``)."""

SPEC_KEYS = ("version", "sha256")

MISSING_REPORT = "no report from this vendor's run among the merged reports (see the log of its job)"


class ReportInputError(Exception):
    """A report that cannot be merged; the message is one line and names the file."""


@dataclass(frozen=True)
class ReadReport:
    """One ``drift.json``, read back."""

    path: Path
    target: str
    run_id: str
    specs: Specs
    results: tuple[VendorResult, ...]


def _one_line(text: str) -> str:
    return " ".join(text.split())


class _Malformed(ValueError):
    pass


def _field(data: Mapping[str, Any], key: str, kind: type | tuple[type, ...], where: str) -> Any:
    if key not in data:
        raise _Malformed(f"{where} has no {key!r}")
    value = data[key]
    if not isinstance(value, kind) or (isinstance(value, bool) and kind in (int, float, (int, float))):
        raise _Malformed(f"{where}.{key} is malformed")
    return value


def read_report(path: Path) -> ReadReport:
    """The run a ``drift.json`` written by ``contracts drift`` describes; ``ReportInputError`` if it cannot."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ReportInputError(f"{path}: no such file") from None
    except (OSError, UnicodeDecodeError) as error:
        raise ReportInputError(_one_line(f"{path}: unreadable ({error})")) from None
    try:
        data = json.loads(text)
    except ValueError as error:
        raise ReportInputError(_one_line(f"{path}: not JSON ({error})")) from None
    if not isinstance(data, dict) or "vendors" not in data:
        raise ReportInputError(f"{path}: not a drift report (no 'vendors')")
    version = data.get("format_version", 1)
    if version != REPORT_FORMAT_VERSION:
        raise ReportInputError(
            f"{path}: drift.json format version {version!r}, but this suite merges version {REPORT_FORMAT_VERSION}"
            " only (write the reports with this version of the suite)"
        )
    try:
        return _parse(path, data)
    except (_Malformed, KeyError, TypeError, ValueError, AttributeError) as error:
        reason = str(error) if isinstance(error, _Malformed) else f"{type(error).__name__}: {error}"
        raise ReportInputError(_one_line(f"{path}: malformed drift report ({reason})")) from None


def _parse(path: Path, data: dict[str, Any]) -> ReadReport:
    target = _field(data, "target", str, "report")
    vendors = _field(data, "vendors", dict, "report")
    specs = _field(data, "specs", dict, "report")
    for name, spec in specs.items():
        if not isinstance(spec, dict) or not all(isinstance(spec.get(key), str | None) for key in SPEC_KEYS):
            raise _Malformed(f"specs.{name} is malformed")
    open_findings: dict[str, list[Finding]] = {name: [] for name in vendors}
    for index, item in enumerate(_field(data, "findings", list, "report")):
        if not isinstance(item, dict):
            raise _Malformed(f"findings[{index}] is malformed")
        state = State(_field(item, "state", str, f"findings[{index}]"))
        finding = Finding.from_json(item)
        if item.get("id") != finding.fingerprint:
            raise _Malformed(f"findings[{index}] has id {item.get('id')!r}, but its content is {finding.fingerprint}")
        if finding.vendor not in open_findings:
            raise _Malformed(f"findings[{index}] is about {finding.vendor!r}, a vendor the report does not have")
        if state is not State.RESOLVED:  # resolved ones come from that run's history, not from the run
            open_findings[finding.vendor].append(finding)
    results = tuple(
        _result(name, entry, target=target, findings=open_findings[name]) for name, entry in vendors.items()
    )
    return ReadReport(
        path=path,
        target=target,
        run_id=_field(data, "run_id", str, "report"),
        specs={name: dict(spec) for name, spec in specs.items()},
        results=results,
    )


def _result(name: str, entry: Any, *, target: str, findings: list[Finding]) -> VendorResult:
    where = f"vendors.{name}"
    if not isinstance(entry, dict):
        raise _Malformed(f"{where} is malformed")
    reason = entry.get("reason")
    if reason is not None and not isinstance(reason, str):
        raise _Malformed(f"{where}.reason is malformed")
    rate = _field(entry, "rate_limited", dict, where)
    facts = entry.get("facts")
    return VendorResult(
        vendor=name,
        title=_field(entry, "title", str, where),
        target=target,
        status=Status(_field(entry, "status", str, where)),
        reason=reason,
        findings=findings,
        # The reports read only the skipped checks of a run's outcomes.
        outcomes=[
            Outcome(name=str(item["check"]), skipped=str(item["reason"]))
            for item in _field(entry, "skipped_checks", list, where)
        ],
        requests=_field(entry, "requests", int, where),
        operations={
            str(label): {"requests": int(stats["requests"]), "statuses": dict(stats["statuses"])}
            for label, stats in _field(entry, "operations", dict, where).items()
        },
        created=[{str(k): str(v) for k, v in record.items()} for record in _field(entry, "created", list, where)],
        duration=float(_field(entry, "duration_seconds", (int, float), where)),
        coverage=_coverage(facts) if facts is not None else None,
        excluded_checks=tuple(
            CheckExclusion(operation=str(item["operation"]), check=str(item["check"]), reason=str(item["reason"]))
            for item in _field(entry, "excluded_checks", list, where)
        ),
        rate_limited=RateLimited(
            responses=int(_field(rate, "responses", int, f"{where}.rate_limited")),
            waited_seconds=float(_field(rate, "waited_seconds", (int, float), f"{where}.rate_limited")),
        ),
        cleanup=_cleanup(entry.get("cleanup"), f"{where}.cleanup"),
    )


def _cleanup(entry: Any, where: str) -> Cleanup:
    """A run's ``cleanup`` (absent from reports written before the clean-up ledger: nothing deleted, none left)."""
    if entry is None:
        return Cleanup()
    if not isinstance(entry, dict):
        raise _Malformed(f"{where} is malformed")
    left = _field(entry, "not_cleaned", list, where)
    if not all(isinstance(item, dict) for item in left):
        raise _Malformed(f"{where}.not_cleaned is malformed")
    return Cleanup(
        deleted=_field(entry, "deleted", int, where),
        not_cleaned=tuple({str(k): str(v) for k, v in item.items()} for item in left),
    )


def _in_order(counts: Mapping[str, Any], order: Sequence[str]) -> dict[str, tuple[int, int]]:
    """``counts`` (name -> {checked, total}) in the order a run lists them: JSON keeps keys sorted."""
    names = [name for name in order if name in counts] + sorted(set(counts) - set(order))
    return {name: (int(counts[name]["checked"]), int(counts[name]["total"])) for name in names}


def _coverage(facts: Mapping[str, Any]) -> Coverage:
    """``Coverage.as_dict()`` read back (``facts_per_request`` is derived, so it is not read)."""
    return Coverage(
        total=int(facts["total"]),
        checked=int(facts["checked"]),
        requests=int(facts["requests"]),
        by_kind=_in_order(facts["by_kind"], [str(kind) for kind in FactKind]),
        by_level=_in_order(facts.get("by_level", {}), [*map(str, LEVELS), "unannotated"]),
        unchecked=tuple(str(fact) for fact in facts["unchecked"]),
        new_facts_by_source={
            str(source): (int(unit["requests"]), int(unit["new_facts"]))
            for source, unit in facts.get("by_unit", {}).items()
        },
        observed_only=(int(facts["observed_only"]["checked"]), int(facts["observed_only"]["total"])),
        by_operation={
            str(label): (int(counts["checked"]), int(counts["total"]))
            for label, counts in facts.get("by_operation", {}).items()
        },
    )


def _describe_specs(specs: Specs, name: str) -> str:
    spec = specs.get(name)
    if spec is None:
        return "no spec"
    digest = spec.get("sha256") or "?"
    return f"version {spec.get('version')!r} (sha256 {digest[:12]})"


def merge_runs(
    reports: Sequence[ReadReport],
    *,
    vendors: Sequence[tuple[str, str]],
    target: str | None,
    specs: Specs,
) -> tuple[str, list[VendorResult]]:
    """The target and the results of ``reports`` as one run over ``vendors`` (name, title), in that order.

    Refused with a ``ReportInputError``: reports of another target than ``target`` (or than the first
    report's, when ``target`` is None), made from other specs than ``specs`` (this checkout's), or two
    reports for one vendor, or a vendor that is not among ``vendors``. A vendor of ``vendors`` without a
    report is an error: nothing is known about it tonight.
    """
    if target is None:
        if not reports:
            raise ReportInputError("no report to merge, and no --target to say which runs these were")
        target = reports[0].target
    for report in reports:
        if report.target != target:
            raise ReportInputError(
                f"{report.path}: a run against the {report.target} target, not {target}: "
                "reports of different targets are never merged"
            )
        for name in sorted(set(report.specs) | set(specs)):
            if report.specs.get(name) != specs.get(name):
                raise ReportInputError(
                    f"{report.path}: made from another {name} spec ({_describe_specs(report.specs, name)}) than "
                    f"this checkout's ({_describe_specs(specs, name)}): reports of different specs are never merged"
                )
    by_vendor: dict[str, tuple[ReadReport, VendorResult]] = {}
    known = [name for name, _ in vendors]
    for report in reports:
        for result in report.results:
            if result.vendor in by_vendor:
                raise ReportInputError(
                    f"{report.path}: {result.vendor} is also in {by_vendor[result.vendor][0].path}: "
                    "each vendor's report is merged once"
                )
            if result.vendor not in known:
                raise ReportInputError(
                    f"{report.path}: {result.vendor} is not among the vendors merged ({', '.join(known)})"
                )
            by_vendor[result.vendor] = (report, result)
    results = [
        by_vendor[name][1]
        if name in by_vendor
        else VendorResult(vendor=name, title=title, target=target, status=Status.ERROR, reason=MISSING_REPORT)
        for name, title in vendors
    ]
    return target, results
