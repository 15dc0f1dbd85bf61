"""Rendering a ``RunReport`` as JSON, Markdown (for a CI job summary) and a self-contained HTML page."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from contracts.report.history import write_atomic
from contracts.report.model import RunReport, State

STATUS_ICONS = {"pass": "✅", "fail": "❌", "inconclusive": "⚠️", "skipped": "⏭️", "error": "🛑"}

_environment = Environment(
    loader=PackageLoader("contracts.report", "templates"),
    autoescape=select_autoescape(enabled_extensions=("html",), default_for_string=False),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
    keep_trailing_newline=True,
)


def _md_cell(value: Any, limit: int = 120) -> str:
    text = "" if value is None else str(value)
    text = text.replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ").replace("`", "'")
    return text if len(text) <= limit else text[: limit - 1] + "…"


_environment.filters["md"] = _md_cell
_environment.globals["icons"] = STATUS_ICONS


def _context(report: RunReport) -> dict[str, Any]:
    return {
        "report": report,
        "data": report.as_dict(),
        "new": report.by_state(State.NEW),
        "persisting": report.by_state(State.PERSISTING),
        "resolved": report.by_state(State.RESOLVED),
    }


def render_json(report: RunReport) -> str:
    return json.dumps(report.as_dict(), indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def render_markdown(report: RunReport) -> str:
    return _environment.get_template("drift.md.j2").render(_context(report))


def render_html(report: RunReport) -> str:
    context = _context(report)
    # The page is self-contained: the data it filters and charts is embedded as JSON.
    context["embedded_json"] = json.dumps(report.as_dict(), sort_keys=True, ensure_ascii=False).replace("</", "<\\/")
    return _environment.get_template("drift.html.j2").render(context)


def write_reports(report: RunReport, out: Path) -> dict[str, Path]:
    """Write drift.json, drift.md and drift.html into ``out`` (atomically); return their paths."""
    paths = {"json": out / "drift.json", "markdown": out / "drift.md", "html": out / "drift.html"}
    write_atomic(paths["json"], render_json(report))
    write_atomic(paths["markdown"], render_markdown(report))
    write_atomic(paths["html"], render_html(report))
    return paths
