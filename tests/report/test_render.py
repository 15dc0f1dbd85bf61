"""The three report formats: golden files of a fixed synthetic night, and facts checked independently of them.

The golden files hold night three of ``tests.report.NIGHTS``. After an intended change to a template,
regenerate them and review the diff:

    UPDATE_GOLDEN=1 .venv/bin/pytest tests/report && git diff tests/report/golden
"""

from __future__ import annotations

import dataclasses
import difflib
import json
import os
import re
from collections.abc import Callable
from html.parser import HTMLParser
from pathlib import Path

import pytest

from contracts.report.console import render_console
from contracts.report.history import History, build_report
from contracts.report.model import RunReport, State, TrendPoint
from contracts.report.render import (
    MD_MAX_ROWS,
    _md_code,
    _md_text,
    _nice_step,
    render_html,
    render_json,
    render_markdown,
    trend_chart,
    write_reports,
)
from contracts.values.findings import Kind, Severity
from contracts.values.results import Status
from tests.report import EXCLUSION, NASTY, NIGHT_TIMES, NOT_CLEANED, finding, golden_report, result, run_nights

GOLDEN = Path(__file__).parent / "golden"
UPDATE_HINT = "UPDATE_GOLDEN=1 .venv/bin/pytest tests/report"
REQUIRED_FINDING_KEYS = {
    "id",
    "vendor",
    "operation",
    "status_code",
    "kind",
    "severity",
    "path",
    "expected",
    "observed",
    "first_seen",
    "last_seen",
    "count",
    "state",
}


@pytest.fixture(scope="module")
def report() -> RunReport:
    return golden_report()


# --- golden files -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "render"),
    [
        pytest.param("drift.json", render_json, id="json"),
        pytest.param("drift.md", render_markdown, id="markdown"),
        pytest.param("drift.html", render_html, id="html"),
    ],
)
def test_matches_golden_file(report: RunReport, name: str, render: Callable[[RunReport], str]) -> None:
    rendered = render(report)
    golden = GOLDEN / name
    if os.environ.get("UPDATE_GOLDEN") == "1":
        golden.parent.mkdir(exist_ok=True)
        golden.write_bytes(rendered.encode("utf-8"))
        pytest.skip(f"updated {golden}: review it with git diff")
    if not golden.exists():
        pytest.fail(f"{golden} does not exist; create it with: {UPDATE_HINT}", pytrace=False)
    expected = golden.read_bytes().decode("utf-8")
    if rendered != expected:
        diff = "".join(
            list(
                difflib.unified_diff(
                    expected.splitlines(keepends=True),
                    rendered.splitlines(keepends=True),
                    fromfile=f"golden/{name}",
                    tofile="rendered",
                )
            )[:80]
        )
        pytest.fail(
            f"{name} differs from {golden} (first 80 diff lines below).\n"
            f"If the change is intended, update the golden files with:\n    {UPDATE_HINT}\n"
            f"and review the result with: git diff tests/report/golden\n\n{diff}",
            pytrace=False,
        )


def test_golden_report_covers_every_case(report: RunReport) -> None:
    """The synthetic night really holds what the golden files are meant to pin down."""
    assert {str(vendor.status) for vendor in report.vendors} == {str(status) for status in Status}
    assert {"nexor", "pollybot", "dialnexa", "aura"} <= {vendor.name for vendor in report.vendors}
    assert {item.finding.severity for item in report.findings} == set(Severity)
    assert {item.state for item in report.findings} == set(State)
    assert len(report.trend) == 3
    assert any(item.finding.observed == NASTY for item in report.findings)
    assert [vendor.excluded_checks for vendor in report.vendors if vendor.excluded_checks] == [(EXCLUSION,)]


# --- JSON ---------------------------------------------------------------------------------------


def test_json_has_the_documented_fields(report: RunReport) -> None:
    data = json.loads(render_json(report))
    assert data["generated_at"] == "2026-01-07T02:30:15Z"
    assert data["target"] == "live"
    assert data["exit_code"] == 2
    assert data["verdict"] == "error"
    for name, vendor in data["vendors"].items():
        assert vendor["status"] in {"pass", "fail", "inconclusive", "skipped", "error"}, name
        assert isinstance(vendor["requests"], int), name
        assert isinstance(vendor["operations"], dict), name
    assert data["vendors"]["nexor"]["operations"]["POST /leads"] == {"requests": 10, "statuses": {"201": 8, "422": 2}}
    assert data["findings"], "no findings in the JSON report"
    for item in data["findings"]:
        assert set(item) >= REQUIRED_FINDING_KEYS, REQUIRED_FINDING_KEYS - set(item)
        assert item["state"] in {"new", "persisting", "resolved"}
        assert re.fullmatch(r"[0-9a-f]{16}", item["id"])
    assert [point["generated_at"] for point in data["trend"]] == [
        moment.strftime("%Y-%m-%dT%H:%M:%SZ") for moment in NIGHT_TIMES
    ]


def test_json_ids_and_dates_follow_the_history(report: RunReport) -> None:
    findings = {(item["vendor"], item["path"]): item for item in json.loads(render_json(report))["findings"]}
    score = findings[("nexor", "/lead/score")]
    assert (score["state"], score["first_seen"], score["last_seen"]) == (
        "persisting",
        "2026-01-05T02:00:00Z",
        "2026-01-07T02:30:15Z",
    )
    title = findings[("nexor", "/title")]
    assert (title["state"], title["last_seen"]) == ("resolved", "2026-01-06T02:00:00Z")
    assert findings[("pollybot", "/data/0/tags")]["count"] == 3


# --- Markdown -----------------------------------------------------------------------------------


def _section(markdown: str, title: str) -> str:
    match = re.search(rf"^### {title} \(\d+\)\n(.*?)(?=^### |\Z)", markdown, flags=re.M | re.S)
    assert match, f"no '### {title}' section"
    return match.group(1)


def _rows(section: str) -> list[str]:
    return [line for line in section.splitlines() if line.startswith("| ") and not line.startswith("| severity")]


def test_markdown_has_one_status_line_per_vendor_first(report: RunReport) -> None:
    markdown = render_markdown(report)
    head = markdown.split("### New", 1)[0]
    status_lines = [line for line in head.splitlines() if line.startswith("- ") and "**" in line]
    assert len(status_lines) == len(report.vendors)
    for line, vendor in zip(status_lines, report.vendors, strict=True):
        assert f"**{vendor.title}**: {vendor.status}" in line
    assert markdown.index("### New") < markdown.index("### Persisting") < markdown.index("### Resolved")


@pytest.mark.parametrize("section", ["New", "Persisting", "Resolved"])
def test_markdown_lists_errors_first(report: RunReport, section: str) -> None:
    rows = _rows(_section(render_markdown(report), section))
    assert len(rows) >= 2, f"the golden night should have several {section} findings"
    ranks = [Severity(row.split("|")[1].strip(" *")).rank for row in rows]
    assert ranks == sorted(ranks), rows


def test_markdown_table_rows_keep_their_columns_whatever_the_values(report: RunReport) -> None:
    """A ``|`` in a value is escaped: every row has the header's number of cells."""
    markdown = render_markdown(report)
    lines = markdown.splitlines()
    assert any(line.startswith("|") for line in lines)
    width = 0
    for previous, line in zip(["", *lines], lines, strict=False):
        if not line.startswith("|"):
            continue
        cells = re.split(r"(?<!\\)\|", line)
        if not previous.startswith("|"):
            # a table's header: findings (11 columns), records (3), not cleaned (4), per operation (5)
            width = len(cells)
            assert width in (13, 5, 6, 7), line
        assert len(cells) == width, line


def test_markdown_neutralises_html_and_markup(report: RunReport) -> None:
    markdown = render_markdown(report)
    assert "<script>" not in markdown
    assert "<em>" not in markdown
    assert r"\<script\>alert" in markdown
    assert r"\`tick\` \*star\* \_under\_ \[link\]" in markdown
    assert "``lead_\\|`x`\\|``" in markdown, "a backtick inside a code span needs a longer fence"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        pytest.param("plain", "`plain`", id="plain"),
        pytest.param("a|b", "`a\\|b`", id="pipe"),
        pytest.param("a`b", "``a`b``", id="backtick"),
        pytest.param("`x`", "`` `x` ``", id="backtick-at-edges"),
        pytest.param("a\nb", "`a b`", id="newline"),
        pytest.param("", "", id="empty"),
    ],
)
def test_markdown_code_spans(value: str, expected: str) -> None:
    assert _md_code(value) == expected


@pytest.mark.parametrize(
    ("value", "limit", "expected"),
    [
        pytest.param("<b>x</b>", 120, r"\<b\>x\</b\>", id="html"),
        pytest.param("a | b", 120, r"a \| b", id="pipe"),
        pytest.param("one\ntwo  three", 120, "one two three", id="whitespace"),
        pytest.param("abcdefghij", 5, "abcd…", id="truncated-before-escaping"),
        pytest.param("a_b*c", 120, r"a\_b\*c", id="emphasis"),
        pytest.param(None, 120, "", id="none"),
    ],
)
def test_markdown_text_cells(value: str | None, limit: int, expected: str) -> None:
    assert _md_text(value, limit) == expected


def test_markdown_caps_long_sections() -> None:
    many = [
        finding("nexor", Kind.UNDOCUMENTED_FIELD, Severity.WARNING, f"/field_{index}")
        for index in range(MD_MAX_ROWS + 7)
    ]
    report, _ = build_report(
        [result("nexor", Status.PASS, many)], target="live", run_id="r", history=History(), now=NIGHT_TIMES[0]
    )
    markdown = render_markdown(report)
    assert len(_rows(_section(markdown, "New"))) == MD_MAX_ROWS
    assert "… and 7 more in `drift.html` and `drift.json`." in markdown


# --- HTML ---------------------------------------------------------------------------------------


class _Page(HTMLParser):
    """What the tests need from a page: its elements by id, external references, script texts."""

    def __init__(self) -> None:
        super().__init__()
        self.ids: dict[str, dict[str, str | None]] = {}
        self.external: list[str] = []
        self.tags: list[str] = []
        self.scripts: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        attributes = dict(attrs)
        if attributes.get("id"):
            self.ids[str(attributes["id"])] = attributes
        for name in ("src", "href", "xlink:href"):
            value = attributes.get(name) or ""
            if re.match(r"\s*(https?:)?//", value):
                self.external.append(f"{tag} {name}={value}")
        self._in_script = tag == "script"

    def handle_endtag(self, tag: str) -> None:
        self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_script:
            self.scripts.append(data)


def test_html_escapes_values(report: RunReport) -> None:
    html = render_html(report)
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in html
    assert "<b>without</b>" not in html
    assert "<em>markup</em>" not in html
    assert "&lt;Unauthorized&gt;" in html


def test_html_is_self_contained(report: RunReport) -> None:
    page = _Page()
    page.feed(render_html(report))
    assert page.external == []
    assert "link" not in page.tags
    assert "img" not in page.tags
    assert "iframe" not in page.tags
    assert page.tags.count("script") == 2  # the embedded data and the inline filter script
    assert "@import" not in "".join(page.scripts)


def test_html_embeds_the_report_data_verbatim(report: RunReport) -> None:
    html = render_html(report)
    match = re.search(r'<script type="application/json" id="report-data">(.*?)</script>', html, flags=re.S)
    assert match
    assert "<" not in match.group(1), "the embedded JSON must not be able to close its script element"
    assert json.loads(match.group(1)) == report.as_dict()


def test_html_has_cards_filters_table_and_chart(report: RunReport) -> None:
    html = render_html(report)
    page = _Page()
    page.feed(html)
    for element in ("trend", "findings-table", "f-vendor", "f-severity", "f-state", "f-kind", "f-text", "f-count"):
        assert element in page.ids, element
    for vendor in report.vendors:
        assert f'<article class="card st-{vendor.status}" data-vendor="{vendor.name}">' in html
    assert html.count('<tr class="is-') == len(report.findings)
    assert html.count("<polyline") == sum(len(series.segments) for series in trend_chart(report).series) > 0


def test_html_without_findings_says_so() -> None:
    report, _ = build_report(
        [result("dialnexa", Status.PASS)], target="fake", run_id="r", history=History(), now=NIGHT_TIMES[0]
    )
    html = render_html(report)
    assert "No findings: every checked vendor matches its spec." in html
    assert 'id="findings-table"' not in html


# --- the trend chart ----------------------------------------------------------------------------


def test_chart_leaves_gaps_for_vendors_not_checked(report: RunReport) -> None:
    chart = trend_chart(report)
    by_name = {series.name: series for series in chart.series}
    assert len(by_name["nexor"].points) == 3
    assert all(point.complete for point in by_name["nexor"].points)
    assert len(by_name["aura"].points) == 2, "a skipped night is a gap, not a zero"
    assert by_name["aura"].latest == "not checked (skipped)"
    assert [point.complete for point in by_name["pollybot"].points] == [True, True, False]
    assert by_name["pollybot"].latest == "1 open finding (run incomplete)"
    assert len(by_name["acme"].points) == 2
    assert [label[1] for label in chart.x_labels] == ["2026-01-05", "2026-01-06", "2026-01-07"]


def test_chart_scales_to_the_highest_count(report: RunReport) -> None:
    chart = trend_chart(report)
    assert [value for _, value in chart.y_ticks] == [0, 1, 2, 3, 4]
    nexor = next(series for series in chart.series if series.name == "nexor")
    top = min(point.y for point in nexor.points)
    assert chart.top - 10 <= top <= chart.bottom - (chart.bottom - chart.top) * 0.7


def test_chart_of_a_single_run_centres_its_points() -> None:
    report, _ = build_report(
        [result("nexor", Status.PASS, [finding("nexor", Kind.DEPRECATION, Severity.INFO, "/x")])],
        target="fake",
        run_id="r",
        history=History(),
        now=NIGHT_TIMES[0],
    )
    chart = trend_chart(report)
    (series,) = chart.series
    assert [point.x for point in series.points] == [(chart.left + chart.right) / 2]
    assert series.segments == ()
    assert "Only one run so far" in render_html(report)


@pytest.mark.parametrize(
    ("raw", "step"),
    [
        pytest.param(0, 1, id="zero"),
        pytest.param(0.75, 1, id="below-one"),
        pytest.param(1.5, 2, id="two"),
        pytest.param(3, 5, id="five"),
        pytest.param(7.5, 10, id="ten"),
        pytest.param(11, 20, id="twenty"),
    ],
)
def test_chart_steps(raw: float, step: int) -> None:
    assert _nice_step(raw) == step


def test_trend_point_coverage() -> None:
    point = TrendPoint(
        generated_at="2026-01-01T00:00:00Z",
        counts={"a": {"error": 0}, "b": {}, "c": {}, "d": {}},
        statuses={"b": "inconclusive", "c": "skipped"},
    )
    assert [point.coverage(name) for name in ("a", "b", "c", "d", "e")] == [
        "complete",
        "partial",
        "none",
        "complete",
        "none",
    ]


def test_write_reports_writes_the_three_files(tmp_path: Path, report: RunReport) -> None:
    paths = write_reports(report, tmp_path / "out")
    assert {path.name for path in (tmp_path / "out").iterdir()} == {"drift.json", "drift.md", "drift.html"}
    assert paths["html"].read_text(encoding="utf-8") == render_html(report)
    assert paths["json"].stat().st_mode & 0o777 == 0o644


def test_run_nights_through_files_matches_in_memory(tmp_path: Path) -> None:
    """The golden night is the same whether the history stays in memory or goes through a file."""
    in_memory = run_nights(3)[-1].report
    through_file = run_nights(3, history_file=tmp_path / "history.json")[-1].report
    assert render_json(through_file) == render_json(in_memory)


def test_markdown_renders_every_value_verbatim(report: RunReport) -> None:
    """Through a CommonMark + tables renderer (markdown-it-py, there as a dependency of rich), each table
    keeps its columns and the nasty value reads exactly as observed: no markup, no HTML, nothing lost."""
    markdown_it = pytest.importorskip("markdown_it")
    parser = markdown_it.MarkdownIt("commonmark", {"html": True}).enable("table")
    tokens = parser.parse(render_markdown(report))
    rows: list[list[str]] = []
    for index, token in enumerate(tokens):
        if token.type == "tr_open":
            rows.append([])
        elif token.type == "inline" and tokens[index - 1].type in ("td_open", "th_open"):
            children = token.children or []
            allowed = {"text", "code_inline"} | ({"strong_open", "strong_close"} if not rows[-1] else set())
            assert {child.type for child in children} <= allowed, f"markup in a cell: {token.content}"
            rows[-1].append("".join(child.content for child in children))
    assert {len(row) for row in rows} == {11, 3, 4, 5}
    assert [row[7] for row in rows if row[1] == "nexor" and row[4] == "behavior_mismatch"] == [NASTY]
    assert [row[2] for row in rows if len(row) == 3 and row[0] == "Nexor"] == ["lead_|`x`|"]
    assert [row[2:] for row in rows if len(row) == 4 and row[0] == "Nexor"] == [
        ["lead_|`x`|", NOT_CLEANED.not_cleaned[0]["reason"]]
    ]


# --- excluded checks ----------------------------------------------------------------------------


def test_excluded_checks_are_shown_with_their_reason_in_every_report(report: RunReport) -> None:
    """A check the vendor's data turns off for one operation is never silent: each format names it and why."""
    vendors = json.loads(render_json(report))["vendors"]
    assert vendors["nexor"]["excluded_checks"] == [
        {"operation": "GET /leads/{id}", "check": "ignored_auth", "reason": EXCLUSION.reason}
    ]
    assert all(vendor["excluded_checks"] == [] for name, vendor in vendors.items() if name != "nexor")

    markdown_it = pytest.importorskip("markdown_it")
    tokens = markdown_it.MarkdownIt("commonmark", {"html": True}).parse(render_markdown(report))
    start = next(i for i, token in enumerate(tokens) if token.content.startswith("Checks excluded (1)"))
    end = next(i for i in range(start, len(tokens)) if tokens[i].type == "heading_open")
    items = [
        "".join(child.content for child in token.children or [])
        for index, token in enumerate(tokens[start:end], start)
        if token.type == "inline" and tokens[index - 2].type == "list_item_open"
    ]
    assert items == [f"Nexor, ignored_auth on GET /leads/{{id}}: {EXCLUSION.reason}"], "rendered verbatim"
    assert "1 check excluded" in render_markdown(report)

    html = render_html(report)
    assert (
        "<li><code>ignored_auth</code> on <code>GET /leads/{id}</code>: "
        "the docs&#39; &lt;b&gt;public&lt;/b&gt; read answers without a key | by design</li>"
    ) in html
    assert html.count('<details class="excluded">') == 1

    assert f"↳ check ignored_auth excluded on GET /leads/{{id}}: {EXCLUSION.reason}" in render_console(report)


# --- rate limits ----------------------------------------------------------------------------------


def test_the_429s_met_and_the_seconds_waited_are_shown_in_every_report(report: RunReport) -> None:
    """Per vendor: drift.json always (zeros included), the other formats only where the rate limit was met."""
    vendors = json.loads(render_json(report))["vendors"]
    assert vendors["pollybot"]["rate_limited"] == {"responses": 4, "waited_seconds": 7.5}
    assert all(
        vendor["rate_limited"] == {"responses": 0, "waited_seconds": 0.0}
        for name, vendor in vendors.items()
        if name != "pollybot"
    )
    markdown = render_markdown(report)
    assert markdown.count("rate limited: ") == 1
    [line] = [line for line in markdown.splitlines() if "**PollyBot**" in line]
    assert "; 17 requests; rate limited: 4 × 429, 7.5 s waited;" in line
    html = render_html(report)
    assert html.count('<div class="meta rate-limited">') == 1
    assert '<div class="meta rate-limited">rate limited: 4 × 429 · 7.5 s waited</div>' in html
    console = render_console(report)
    assert console.count("↳ rate limited: ") == 1
    assert "↳ rate limited: 4 × 429, 7.5 s waited" in console


# --- clean-up ---------------------------------------------------------------------------------


def test_records_not_cleaned_up_are_listed_with_why_in_every_report(report: RunReport) -> None:
    """The clean-up's records left behind (vendor, operation, id, why) are in drift.json, drift.md, drift.html and
    on the console; what it deleted is counted."""
    left = NOT_CLEANED.not_cleaned[0]
    vendors = json.loads(render_json(report))["vendors"]
    assert vendors["nexor"]["cleanup"] == {"deleted": 2, "not_cleaned": [dict(left)]}
    assert all(vendor["cleanup"] == {"deleted": 0, "not_cleaned": []} for n, vendor in vendors.items() if n != "nexor")
    assert "### Records not cleaned up (1)" in render_markdown(report)
    html = render_html(report)
    assert "clean-up: 2 deleted · 1 not cleaned up" in html
    assert "the vendor documents no delete &lt;b&gt;yet&lt;/b&gt;" in html
    console = render_console(report)
    assert "↳ clean-up: 2 deleted, 1 not cleaned up" in console
    assert f"POST /leads lead_|`x`|: {left['reason']}" in console


def test_a_fake_runs_clean_up_is_not_listed() -> None:
    """The in-process fakes are fresh each run: what they keep is no record left anywhere, so no list."""
    fake = build_report(
        [dataclasses.replace(result("nexor", Status.PASS), target="fake", cleanup=NOT_CLEANED)],
        target="fake",
        run_id="r",
        history=History(),
        now=NIGHT_TIMES[0],
    )[0]
    assert "Records not cleaned up" not in render_markdown(fake)
    assert 'class="meta cleanup"' not in render_html(fake)  # (the page's embedded drift.json still has it)
    assert "↳ clean-up: 2 deleted\n" in render_console(fake) + "\n"
    assert json.loads(render_json(fake))["vendors"]["nexor"]["cleanup"]["not_cleaned"] == [
        dict(NOT_CLEANED.not_cleaned[0])
    ]
