"""Rendering a ``RunReport`` as JSON, Markdown (for a CI job summary) and a self-contained HTML page."""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from markupsafe import Markup, escape

from contracts.report.history import write_atomic
from contracts.report.model import RunReport, State, TrendPoint

STATUS_ICONS = {"pass": "✅", "fail": "❌", "inconclusive": "⚠️", "skipped": "⏭️", "error": "🛑"}
"""For Markdown, where the CI's renderer has emoji; the HTML page uses glyphs every font has."""
STATUS_MARKS = {"pass": "✓", "fail": "✗", "inconclusive": "?", "skipped": "–", "error": "!"}
MD_MAX_ROWS = 100
"""Findings listed per Markdown section; the rest are in drift.html and drift.json (job summaries are capped)."""
PALETTE = ("#0969da", "#8250df", "#1b7c83", "#bf3989", "#6e7781", "#953800")
"""Trend line colours: none of them is a severity colour."""

_environment = Environment(
    loader=PackageLoader("contracts.report", "templates"),
    # The templates are named *.html.j2: autoescape must match the whole suffix, not just ".html".
    autoescape=select_autoescape(enabled_extensions=("html", "html.j2"), default_for_string=False),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
    keep_trailing_newline=True,
)

_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|~&])")


def _flatten(value: Any, limit: int) -> str:
    text = "" if value is None else " ".join(str(value).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _md_text(value: Any, limit: int = 120) -> str:
    """Plain text for a Markdown table cell or list item: one line, nothing interpreted as markup or HTML."""
    return _MD_SPECIAL.sub(r"\\\1", _flatten(value, limit))


def _md_code(value: Any, limit: int = 120, *, in_table: bool = True) -> str:
    """A Markdown code span showing ``value`` verbatim, backticks and pipes (escaped in a table cell) included."""
    text = _flatten(value, limit)
    if in_table:
        text = text.replace("|", "\\|")
    if not text:
        return ""
    fence = "`" * (max((len(run) for run in re.findall(r"`+", text)), default=0) + 1)
    pad = " " if text[0] == "`" or text[-1] == "`" else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def _breakable(value: Any, after: str = "/") -> Markup:
    """Escaped HTML text that may wrap after each of the characters ``after`` (in paths, operations, kinds)."""
    text = str(escape("" if value is None else str(value)))
    for character in after:
        text = text.replace(character, f"{character}<wbr>")
    return Markup(text)  # noqa: S704 - escaped above; only <wbr> is added


_environment.filters["md"] = _md_text
_environment.filters["breakable"] = _breakable
_environment.filters["md_code"] = _md_code
_environment.filters["md_span"] = partial(_md_code, in_table=False)
_environment.globals["icons"] = STATUS_ICONS
_environment.globals["marks"] = STATUS_MARKS
_environment.globals["md_max_rows"] = MD_MAX_ROWS


@dataclass(frozen=True)
class ChartPoint:
    x: float
    y: float
    complete: bool
    """False for an inconclusive run (its count is a lower bound): drawn hollow."""
    label: str


@dataclass(frozen=True)
class ChartSeries:
    name: str
    title: str
    colour: str
    points: tuple[ChartPoint, ...]
    """Only the runs that checked the vendor: a skipped run or one in error leaves a gap."""
    segments: tuple[str, ...]
    """SVG polyline ``points`` strings, one per stretch of consecutive runs that checked the vendor."""
    latest: str


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    left: int
    right: int
    top: int
    bottom: int
    y_ticks: tuple[tuple[float, int], ...]
    x_labels: tuple[tuple[float, str, str], ...]
    """(x, text, text-anchor)."""
    series: tuple[ChartSeries, ...]
    runs: int


def _nice_step(raw: float) -> int:
    """The smallest 1-2-5 step (at least 1) not below ``raw``."""
    if raw <= 1:
        return 1
    magnitude = 10 ** math.floor(math.log10(raw))
    return int(next(factor * magnitude for factor in (1, 2, 5, 10) if factor * magnitude >= raw))


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def _open_count(point: TrendPoint, vendor: str) -> int:
    counts = point.counts.get(vendor, {})
    return sum(int(counts.get(severity, 0)) for severity in ("error", "warning", "info"))


def _describe(point: TrendPoint, vendor: str, title: str) -> str:
    counts = point.counts.get(vendor, {})
    text = (
        f"{title}, {point.generated_at}: {_plural(_open_count(point, vendor), 'open finding')} "
        f"({_plural(int(counts.get('error', 0)), 'error')}, {_plural(int(counts.get('warning', 0)), 'warning')}, "
        f"{int(counts.get('info', 0))} info)"
    )
    return text + (", run incomplete (inconclusive)" if point.coverage(vendor) == "partial" else "")


def _latest(points: tuple[TrendPoint, ...], vendor: str) -> str:
    if not points:
        return "no runs yet"
    last = points[-1]
    coverage = last.coverage(vendor)
    if coverage == "none":
        return f"not checked ({last.statuses.get(vendor, 'not run')})"
    text = _plural(_open_count(last, vendor), "open finding")
    return text + " (run incomplete)" if coverage == "partial" else text


def trend_chart(report: RunReport, *, width: int = 760, height: int = 220) -> Chart:
    """The geometry of the trend chart: open findings per vendor over the runs in the history.

    Runs are evenly spaced; series with equal values are drawn a little apart so that none hides another.
    """
    left, right, top, bottom = 44, width - 16, 14, height - 30
    points = report.trend
    vendors = [(vendor.name, vendor.title) for vendor in report.vendors]
    highest = max(
        (_open_count(point, name) for point in points for name, _ in vendors if point.coverage(name) != "none"),
        default=0,
    )
    step = _nice_step(highest / 4)
    ceiling = step * 4

    def x_of(index: int) -> float:
        if len(points) == 1:
            return (left + right) / 2
        return left + index * (right - left) / (len(points) - 1)

    def y_of(value: float) -> float:
        return bottom - value * (bottom - top) / ceiling

    series = []
    for number, (name, title) in enumerate(vendors):
        dodge = (number - (len(vendors) - 1) / 2) * 3
        chart_points = []
        segments: list[list[str]] = [[]]
        for index, point in enumerate(points):
            coverage = point.coverage(name)
            if coverage == "none":
                if segments[-1]:
                    segments.append([])
                continue
            x, y = x_of(index), y_of(_open_count(point, name)) + dodge
            chart_points.append(
                ChartPoint(
                    x=round(x, 1), y=round(y, 1), complete=coverage == "complete", label=_describe(point, name, title)
                )
            )
            segments[-1].append(f"{x:.1f},{y:.1f}")
        series.append(
            ChartSeries(
                name=name,
                title=title,
                colour=PALETTE[number % len(PALETTE)],
                points=tuple(chart_points),
                segments=tuple(" ".join(segment) for segment in segments if len(segment) > 1),
                latest=_latest(points, name),
            )
        )
    y_ticks = tuple((round(y_of(value), 1), value) for value in range(0, ceiling + 1, step))
    x_labels: list[tuple[float, str, str]] = []
    shown: set[str] = set()
    for index in sorted({round(i * (len(points) - 1) / 5) for i in range(6)} if points else set()):
        text = points[index].generated_at[:10]
        if text in shown:
            continue
        shown.add(text)
        anchor = "middle"
        if len(points) > 1 and index == 0:
            anchor = "start"
        elif len(points) > 1 and index == len(points) - 1:
            anchor = "end"
        x_labels.append((round(x_of(index), 1), text, anchor))
    return Chart(
        width=width,
        height=height,
        left=left,
        right=right,
        top=top,
        bottom=bottom,
        y_ticks=y_ticks,
        x_labels=tuple(x_labels),
        series=tuple(series),
        runs=len(points),
    )


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


def _script_json(value: Any) -> str:
    """JSON safe inside a ``<script>`` element: no ``</script>``, ``<!--`` or ``]]>`` can appear."""
    text = json.dumps(value, sort_keys=True, ensure_ascii=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def render_html(report: RunReport) -> str:
    context = _context(report)
    # The page is self-contained: the data it filters and charts is embedded, styles and script inline.
    context["embedded_json"] = _script_json(report.as_dict())
    context["chart"] = trend_chart(report)
    return _environment.get_template("drift.html.j2").render(context)


def write_reports(report: RunReport, out: Path) -> dict[str, Path]:
    """Write drift.json, drift.md and drift.html into ``out`` (atomically); return their paths."""
    paths = {"json": out / "drift.json", "markdown": out / "drift.md", "html": out / "drift.html"}
    write_atomic(paths["json"], render_json(report))
    write_atomic(paths["markdown"], render_markdown(report))
    write_atomic(paths["html"], render_html(report))
    return paths
