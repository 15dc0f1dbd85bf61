"""List walks (``engine/walks.py``) on Acme lists (tests/fixtures/acme_lists.py): a correct fake passes, and each
broken promise of a list is named by kind and pointer."""

from __future__ import annotations

import pytest

from contracts.engine.context import load_spec, open_run
from contracts.engine.walks import run_walk
from contracts.transport.targets import fake_target
from contracts.values.findings import Finding, Kind
from contracts.values.model import Walk
from contracts.values.results import Outcome
from tests.fixtures.acme_lists import ACME_LISTS, AcmeListsFake

SPEC = load_spec(ACME_LISTS)


def walk_named(name: str) -> Walk:
    return next(walk for walk in ACME_LISTS.walks if walk.name == name)


def run(name: str, *bugs: str) -> tuple[list[Finding], Outcome]:
    fake = AcmeListsFake(bugs=bugs)
    ctx = open_run(ACME_LISTS, fake_target(fake, base_url=SPEC.server_url), spec=SPEC)
    try:
        outcome = run_walk(ctx, walk_named(name))
    finally:
        ctx.close()
    return outcome.findings, outcome


@pytest.mark.parametrize("name", ["leads by page", "feed by cursor"])
def test_a_correct_list_walks_to_its_end_without_findings(name):
    findings, outcome = run(name)
    assert findings == []
    assert outcome.cases >= 3, "several pages were asked for"
    assert not outcome.notes, outcome.notes


def test_the_page_walk_sends_page_and_limit_and_finds_the_lead_it_created():
    fake = AcmeListsFake()
    ctx = open_run(ACME_LISTS, fake_target(fake, base_url=SPEC.server_url), spec=SPEC)
    outcome = run_walk(ctx, walk_named("leads by page"))
    urls = [exchange.url for exchange in ctx.client.exchanges if exchange.method == "GET"]
    assert outcome.findings == []
    assert any("page=1" in url and "limit=2" in url for url in urls)
    assert any("page=3" in url for url in urls), "six leads at two a page: three pages"
    assert any("status=won" in url for url in urls), "the filter was walked too"
    assert len(fake.api_created) == 1


@pytest.mark.parametrize(
    ("name", "bug", "pointer", "expected"),
    [
        ("leads by page", "page_over_limit", "/data/leads", "at most 2 items"),
        ("leads by page", "wrong_total", "/data/pagination/total", "6"),
        ("leads by page", "has_next_always", "/data/pagination/hasNext", "False"),
        ("leads by page", "page_repeats", "/data/leads/0/id", "each item once"),
        ("leads by page", "status_filter_ignored", "/data/leads/0/status", "only items whose /status"),
        ("leads by page", "created_not_listed", "/data/leads", "the record this run created"),
        ("feed by cursor", "cursor_repeats", "/data/0/id", "each item once"),
        ("feed by cursor", "more_without_cursor", "/pagination/next_cursor", "a cursor to the next page"),
    ],
)
def test_each_broken_list_promise_is_named_by_kind_and_pointer(name, bug, pointer, expected):
    findings, _ = run(name, bug)
    named = [finding for finding in findings if finding.kind is Kind.BEHAVIOR_MISMATCH and finding.path == pointer]
    assert named, [(finding.kind, finding.path, finding.expected) for finding in findings]
    assert any(expected.lower() in finding.expected.lower() for finding in named), [f.expected for f in named]
    assert all(finding.operation == name_operation(name) for finding in named)
    assert all(finding.example for finding in named), "each finding shows the page's request"


def name_operation(name: str) -> str:
    return walk_named(name).operation


def test_a_walk_that_does_not_end_within_its_pages_stops_with_a_note_and_no_finding():
    import dataclasses

    vendor = dataclasses.replace(ACME_LISTS, walks=(dataclasses.replace(walk_named("feed by cursor"), max_pages=2),))
    ctx = open_run(vendor, fake_target(AcmeListsFake(), base_url=SPEC.server_url), spec=SPEC)
    outcome = run_walk(ctx, vendor.walks[0])
    assert outcome.findings == []
    assert outcome.cases == 2
    assert any("not at its end after 2 pages" in note for note in outcome.notes)


def test_a_walk_that_needs_writes_is_skipped_naming_the_variable_on_a_read_only_target():
    import dataclasses

    from contracts.values.model import Capability

    target = fake_target(AcmeListsFake(), base_url=SPEC.server_url)
    target = dataclasses.replace(target, capabilities=target.capabilities - {Capability.WRITES})
    ctx = open_run(ACME_LISTS, target, spec=SPEC)
    outcome = run_walk(ctx, walk_named("leads by page"))
    assert outcome.skipped is not None
    assert "ACME_LISTS_ALLOW_WRITES" in outcome.skipped
    assert ctx.client.exchanges == []
