"""The facts ledger: generated from the specs and vendor data, and specs/FACTS.md kept up to date."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from contracts import cli
from contracts.pipeline import facts_ledger
from contracts.report.ledger import VendorFacts, level_counts, render_ledger
from contracts.values.evidence import Confirmation, Evidence, Level
from contracts.values.results import Fact, FactKind
from contracts.vendors import VENDORS

ROOT = Path(__file__).resolve().parents[2]
LEDGER = ROOT / "specs" / "FACTS.md"


def test_specs_facts_md_is_up_to_date():
    """A spec or vendor-data change that changes a promise must come with its diff here."""
    assert LEDGER.read_text(encoding="utf-8") == facts_ledger(VENDORS), (
        "specs/FACTS.md is out of date: run `.venv/bin/contracts facts --write specs/FACTS.md`"
    )


def test_the_ledger_lists_each_fact_with_level_source_and_quote():
    read = Fact(FactKind.STATUS, "GET /x", "200", "")
    field = Fact(FactKind.FIELD, "GET /x", "200", "/a|b")
    behaviour = Fact(FactKind.BEHAVIOUR, "", "", "scenario:create then read")
    evidence = {
        read: Evidence(Level.STATED, source="page", quote="Returns 200"),
        field: Evidence(
            Level.CONTESTED, source="page", quote="a or b", confirmed=Confirmation(by="ana", on="2026-11-30")
        ),
        behaviour: None,
    }
    text = render_ledger([VendorFacts(name="acme", title="Acme", evidence=evidence)])
    assert "## Acme (3 facts: stated 2, unannotated 1)" in text
    assert "| status 200 | stated | page | “Returns 200” |" in text
    assert (
        "| field 200 `/a\\|b` | stated (confirmed) | page | “a or b” (confirmed with the vendor by ana on 2026-11-30) |"
        in text
    )
    assert text.index("### GET /x") < text.index("### Behaviours")
    assert level_counts(evidence) == {"stated": 2, "unannotated": 1}


def test_contracts_facts_prints_or_writes_the_ledger(tmp_path):
    printed = CliRunner().invoke(cli.main, ["facts", "--vendor", "aura"])
    assert printed.exit_code == 0, printed.output
    assert "## Aura (" in printed.output
    assert "## Nexor" not in printed.output
    target = tmp_path / "FACTS.md"
    written = CliRunner().invoke(cli.main, ["facts", "--write", str(target)])
    assert written.exit_code == 0, written.output
    assert target.read_text(encoding="utf-8") == facts_ledger(VENDORS)
