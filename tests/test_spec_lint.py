"""Spectral, the OpenAPI linter our users run, on every spec: clean with the shipped ruleset (``specs/.spectral.yaml``:
0 errors, 0 warnings) and without errors under plain ``spectral:oas``.

Spectral is an npm package, pinned in ``ci/spectral/`` and installed with ``npm ci --prefix ci/spectral``
(``.ci/run`` does it). Where it or node is missing the tests skip, naming that command, except on CI, where they
fail. The rulesets are local files (``spectral:oas`` is built in), so Spectral needs no network.
"""

from __future__ import annotations

import copy
import json
import subprocess
from pathlib import Path
from typing import Any

import yaml

from contracts.vendors import VENDORS
from tests.fixtures.tools import require_command, require_tool

ROOT = Path(__file__).resolve().parent.parent
SPECS = sorted(path for path in (ROOT / "specs").glob("*.yaml") if not path.name.startswith("."))
RULESET = ROOT / "specs" / ".spectral.yaml"
TOOL = ROOT / "ci" / "spectral"
SPECTRAL = TOOL / "node_modules" / ".bin" / "spectral"
INSTALL = "npm ci --prefix ci/spectral"
ERROR, WARNING = 0, 1
"""Spectral's severities in its JSON output (then 2 information, 3 hint)."""

SWITCHED_OFF = {"info-contact", "operation-tags"}
"""The spectral:oas rules the shipped ruleset turns off, each with its reason there."""
OURS = {
    "operation-cites-its-doc-source",
    "x-inferred-has-a-reason",
    "x-evidence-has-level-source-and-quote",
    "x-doc-discrepancy-has-sources-and-readings",
    "x-invalid-example-has-a-reason",
    "x-invalid-example-is-not-an-example",
}


def spectral(specs: list[Path], ruleset: Path, out: Path) -> list[dict[str, Any]]:
    """Spectral's findings (its JSON results) on ``specs`` with ``ruleset``."""
    require_command("node", install="Node.js 20.17 or later, with npm")
    binary = require_tool(SPECTRAL, install=INSTALL)
    report = out / "spectral.json"
    completed = subprocess.run(
        [str(binary), "lint", *map(str, specs), "--ruleset", str(ruleset), "--format", "json", "--output", str(report)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    # Exit 1 means "results at or above --fail-severity (error)"; anything else (2: a broken ruleset or document)
    # must not pass as "no findings".
    assert completed.returncode in (0, 1), f"spectral exited with {completed.returncode}:\n{completed.stderr}"
    results: list[dict[str, Any]] = json.loads(report.read_text(encoding="utf-8"))
    return results


def describe(results: list[dict[str, Any]]) -> str:
    return "\n".join(
        f"{Path(r['source']).name}:{r['range']['start']['line'] + 1} {r['code']} ({r['severity']}) "
        f"{'.'.join(map(str, r['path']))}: {r['message']}"
        for r in results
    )


def test_every_vendor_spec_is_linted():
    assert sorted(vendor.spec_path.resolve() for vendor in VENDORS) == SPECS


def test_spectral_with_the_shipped_ruleset_reports_nothing(tmp_path: Path) -> None:
    results = spectral(SPECS, RULESET, tmp_path)
    assert results == [], describe(results)


def test_plain_spectral_oas_reports_no_error(tmp_path: Path) -> None:
    """Plain spectral:oas: no error, and its only warnings are the rules the shipped ruleset switches off, on
    every spec (so each file was read, and each switched-off rule really had something to switch off)."""
    ruleset = tmp_path / "oas.yaml"
    ruleset.write_text('extends: ["spectral:oas"]\n', encoding="utf-8")
    results = spectral(SPECS, ruleset, tmp_path)
    assert [r for r in results if r["severity"] == ERROR] == [], describe(results)
    assert {r["code"] for r in results} == SWITCHED_OFF, describe(results)
    assert {Path(r["source"]) for r in results if r["code"] == "info-contact"} == set(SPECS)


def test_the_ruleset_switches_off_only_what_it_says_and_every_rule_of_ours_is_an_error():
    rules = yaml.safe_load(RULESET.read_text(encoding="utf-8"))["rules"]
    assert {name for name, rule in rules.items() if rule == "off"} == SWITCHED_OFF
    assert {name for name, rule in rules.items() if rule != "off"} == OURS
    assert {rules[name]["severity"] for name in OURS} == {"error"}


def break_nexor(raw: dict[str, Any]) -> dict[str, Any]:
    """The Nexor spec with one violation of each of our rules."""
    broken = copy.deepcopy(raw)
    create = broken["paths"]["/leads"]["post"]
    del broken["paths"]["/leads/{id}"]["get"]["x-doc-source"]
    broken["paths"]["/leads/{id}"]["get"]["x-evidence"] = {"level": "probably", "source": "the GET page"}
    create["responses"]["400"]["x-inferred-reason"] = " "
    create["x-doc-discrepancy"][0] = {"source": create["x-doc-discrepancy"][0]["source"]}
    media = create["requestBody"]["content"]["application/json"]
    del media["x-invalid-examples"]["docs"]["x-invalid"]
    media["examples"]["metadata-mapping"]["x-invalid"] = "an x-invalid example among the examples"
    return broken


def test_every_rule_of_ours_catches_what_it_is_for(tmp_path: Path) -> None:
    nexor = ROOT / "specs" / "nexor.yaml"
    broken = tmp_path / "nexor.yaml"
    broken.write_text(yaml.safe_dump(break_nexor(yaml.safe_load(nexor.read_text(encoding="utf-8")))), encoding="utf-8")
    results = spectral([broken], RULESET, tmp_path)
    assert sorted(r["code"] for r in results) == sorted(OURS), describe(results)
    assert {r["severity"] for r in results} == {ERROR}
