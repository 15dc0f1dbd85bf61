"""The import rules of ARCHITECTURE.md, enforced by parsing every module's imports.

A layer is a folder of the package (``contracts/engine/`` ...); the entry points are the modules at the top.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "contracts"

LAYERS = ("values", "spec", "transport", "engine", "vendors", "fakes", "report")
ENTRY_POINTS = "entry points"

ALLOWED = {
    "values": {"values"},
    "spec": {"values", "spec"},
    "transport": {"values", "spec", "transport"},
    "engine": {"values", "spec", "transport", "engine"},
    "fakes": {"fakes"},
    "vendors": {"values", "fakes", "vendors"},
    "report": {"values", "report"},
    ENTRY_POINTS: {*LAYERS, ENTRY_POINTS},
}


def layer_of(module: str) -> str:
    """``contracts.engine.runner`` -> ``engine``; a top-level module (or the package itself) is an entry point."""
    parts = module.split(".")
    if len(parts) >= 2 and parts[1] in LAYERS:
        return parts[1]
    return ENTRY_POINTS


def imported_modules(path: Path, module: str) -> set[str]:
    """Every ``contracts`` module that ``path`` imports, ``from contracts import X`` resolved to ``contracts.X``."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("contracts"):
            if node.module == "contracts":
                found.update(f"contracts.{alias.name}" for alias in node.names)
            else:
                found.add(node.module)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names if alias.name.startswith("contracts"))
    return found - {module}


MODULES = sorted(
    (".".join(("contracts", *path.relative_to(PACKAGE).with_suffix("").parts)).removesuffix(".__init__"), path)
    for path in PACKAGE.rglob("*.py")
)


def _package_of(module: str) -> str:
    return module.rsplit(".", 1)[0]


@pytest.mark.parametrize(("module", "path"), MODULES, ids=[name for name, _ in MODULES])
def test_imports_follow_the_layer_rules(module, path):
    own = layer_of(module)
    allowed = ALLOWED[own]
    wrong = [f"{imported} ({layer_of(imported)})" for imported in imported_modules(path, module)]
    wrong = [entry for entry in wrong if entry.rsplit("(", 1)[1].rstrip(")") not in allowed]
    assert not wrong, f"{module} ({own}) may import only {sorted(allowed)}; it imports {wrong}"


@pytest.mark.parametrize(("module", "path"), MODULES, ids=[name for name, _ in MODULES])
def test_no_private_module_is_imported_from_another_package(module, path):
    """``contracts.fakes._core`` is the fakes' own business: other packages use what ``contracts.fakes`` exports."""
    own_package = module if path.name == "__init__.py" else _package_of(module)
    wrong = [
        imported
        for imported in imported_modules(path, module)
        if imported.rsplit(".", 1)[-1].startswith("_") and _package_of(imported) != own_package
    ]
    assert not wrong, f"{module} imports private modules of other packages: {wrong}"


def test_the_rules_see_from_contracts_import(tmp_path):
    """A ``from contracts import engine`` counts as importing ``contracts.engine`` (it used to be missed)."""
    scratch = tmp_path / "probe.py"
    scratch.write_text("from contracts import engine\nfrom contracts.values import findings\n")
    assert imported_modules(scratch, "contracts.report.x") == {"contracts.engine", "contracts.values"}
    assert layer_of("contracts.engine") == "engine"
    assert "engine" not in ALLOWED["report"]


def test_every_layer_is_a_folder_and_every_folder_a_layer():
    folders = {path.name for path in PACKAGE.iterdir() if path.is_dir() and (path / "__init__.py").exists()}
    assert folders == set(LAYERS)


def test_the_engine_knows_no_particular_vendor():
    engine = [path for name, path in MODULES if layer_of(name) in ("engine", "transport", "spec", "values", "report")]
    for path in engine:
        text = path.read_text().lower()
        for vendor in ("nexor", "pollybot", "dialnexa", "aura"):
            assert vendor not in text, f"{path.name} mentions {vendor}: vendor knowledge belongs in contracts/vendors"
