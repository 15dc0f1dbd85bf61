"""The facts ledger: every documented fact per vendor and operation, with its evidence level and source.

``contracts facts`` prints it; ``specs/FACTS.md`` is the same text, kept in the repository so that a spec
change shows up in review as a readable diff of promises (a test keeps the file up to date).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from contracts.values.evidence import LEVELS, Evidence, Level
from contracts.values.results import Fact, FactKind

HEADER = """# Documented facts

Every fact the suite checks, per vendor and operation, with how the vendor's docs back it (`specs/README.md`):
**stated** (the operation's own page says it) and **shown** (every example on that page shows it) break the
contract when a vendor deviates; **contested** (the docs contradict themselves) and **inferred** (the page is
silent; another page or the vendor's conventions say it) give a warning that quotes this evidence. A fact the
vendor confirmed counts as stated and names who confirmed it and when.

Generated from the specs and the vendor data by `contracts facts --write specs/FACTS.md`; a test checks that
this file is up to date, so a change of promise shows up here as a diff.
"""


@dataclass(frozen=True)
class VendorFacts:
    name: str
    title: str
    evidence: Mapping[Fact, Evidence | None]


def render_ledger(vendors: Sequence[VendorFacts]) -> str:
    parts = [HEADER]
    for vendor in vendors:
        parts.append(_vendor_section(vendor))
    return "\n".join(parts).rstrip() + "\n"


def level_counts(evidence: Mapping[Fact, Evidence | None]) -> dict[str, int]:
    """Facts per level; a confirmed fact counts as stated."""
    counts = Counter(_counted_level(found) for found in evidence.values())
    return {level: counts[level] for level in [*map(str, LEVELS), "unannotated"] if counts[level]}


def _vendor_section(vendor: VendorFacts) -> str:
    counts = ", ".join(f"{level} {count}" for level, count in level_counts(vendor.evidence).items())
    lines = [f"## {vendor.title} ({len(vendor.evidence)} facts: {counts})", ""]
    groups: dict[str, list[Fact]] = {}
    for fact in sorted(vendor.evidence):
        groups.setdefault(fact.operation or "Behaviours", []).append(fact)
    for group, facts in sorted(groups.items(), key=lambda item: (item[0] == "Behaviours", item[0])):
        lines += [f"### {group}", "", "| fact | level | source | doc line |", "|---|---|---|---|"]
        for fact in facts:
            found = vendor.evidence[fact]
            lines.append(
                f"| {_cell(_subject(fact))} | {_level(found)} | {_cell(found.source if found else '')} | "
                f"{_cell(_quote(found))} |"
            )
        lines.append("")
    return "\n".join(lines)


def _subject(fact: Fact) -> str:
    if fact.kind is FactKind.BEHAVIOUR:
        return fact.subject
    if fact.kind is FactKind.STATUS:
        return f"status {fact.status}"
    return f"{fact.kind} {fact.status} `{fact.subject}`"


def _counted_level(evidence: Evidence | None) -> str:
    if evidence is None:
        return "unannotated"
    return str(Level.STATED) if evidence.confirmed is not None else str(evidence.level)


def _level(evidence: Evidence | None) -> str:
    if evidence is None:
        return "unannotated"
    return "stated (confirmed)" if evidence.confirmed is not None else str(evidence.level)


def _quote(evidence: Evidence | None) -> str:
    if evidence is None:
        return ""
    quote = f"“{evidence.quote}”"
    if evidence.confirmed is not None:
        quote += f" (confirmed with the vendor by {evidence.confirmed.by} on {evidence.confirmed.on})"
    return quote


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")
