"""The per-vendor summary printed at the end of a run."""

from __future__ import annotations

from contracts.report.model import RunReport, State

MAX_LISTED = 20


def render_console(report: RunReport) -> str:
    lines = [f"\nContract verdict ({report.target}): {report.verdict.upper()}", ""]
    width = max((len(vendor.name) for vendor in report.vendors), default=6)
    columns = "{:<%d}  {:<12} {:>8} {:>9}  {:>6} {:>8} {:>5}  {:>4} {:>8}" % width  # noqa: UP031 - width is data
    lines.append(
        columns.format("vendor", "status", "requests", "facts", "errors", "warnings", "info", "new", "resolved")
    )
    for vendor in report.vendors:
        c = vendor.counts
        row = (
            vendor.name,
            vendor.status,
            vendor.requests,
            f"{vendor.coverage['checked']}/{vendor.coverage['total']}" if vendor.coverage else "-",
            c["error"],
            c["warning"],
            c["info"],
            c["new"],
            c["resolved"],
        )
        lines.append(columns.format(*row))
        if vendor.reason:
            lines.append(f"{'':<{width}}  ↳ {vendor.reason}")
        by_level = vendor.coverage.get("by_level") if vendor.coverage else None
        if by_level:
            levels = ", ".join(f"{level} {n['checked']}/{n['total']}" for level, n in by_level.items())
            lines.append(f"{'':<{width}}  ↳ facts by evidence: {levels}")
        limited = vendor.rate_limited
        if limited.responses or limited.waited_seconds:
            lines.append(
                f"{'':<{width}}  ↳ rate limited: {limited.responses} × 429, {limited.waited_seconds:.1f} s waited"
            )
        left = vendor.cleanup.not_cleaned if report.target != "fake" else ()
        if vendor.cleanup.deleted or left:
            kept = f", {len(left)} not cleaned up" if left else ""
            lines.append(f"{'':<{width}}  ↳ clean-up: {vendor.cleanup.deleted} deleted{kept}")
        for record in left[:MAX_LISTED]:
            lines.append(f"{'':<{width}}    {record['operation']} {record['id']}: {record['reason']}")
        if len(left) > MAX_LISTED:
            lines.append(f"{'':<{width}}    ... and {len(left) - MAX_LISTED} more in the reports")
        for excluded in vendor.excluded_checks:
            lines.append(f"{'':<{width}}  ↳ check {excluded.check} excluded on {excluded.operation}: {excluded.reason}")
    failures = [item for item in report.open_findings() if item.finding.is_contract_failure]
    if failures:
        lines += ["", f"Contract failures ({len(failures)}):"]
        for item in failures[:MAX_LISTED]:
            marker = " (new)" if item.state is State.NEW else ""
            lines.append(f"  {item.finding.headline()}{marker}")
        if len(failures) > MAX_LISTED:
            lines.append(f"  ... and {len(failures) - MAX_LISTED} more in the reports")
    return "\n".join(lines)
