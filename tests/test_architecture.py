"""The import rules of ARCHITECTURE.md, enforced by parsing every module's imports."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "contracts"

LAYERS = {
    "values": {"errors", "findings", "redaction", "model"},
    "spec": {"spec", "conformance", "shape"},
    "transport": {"targets", "client", "bridge"},
    "engine": {"context", "outcome", "probes", "scenarios", "property", "driver", "observe", "facts", "runner"},
    "vendors": {"vendors"},
    "fakes": {"fakes"},
    "reports": {"report"},
    "entry points": {"cli", "serve", "config", "pytest_plugin", "__init__"},
}

ALLOWED = {
    "values": {"values"},
    "spec": {"values", "spec"},
    "transport": {"values", "spec", "transport"},
    "engine": {"values", "spec", "transport", "engine"},
    "fakes": {"fakes"},
    "vendors": {"values", "fakes", "vendors"},
    "reports": {"values", "reports", "runner"},
    "entry points": set(LAYERS) | {"runner"},
}


def layer_of(module: str) -> str:
    top = module.split(".")[1] if module.startswith("contracts.") else module
    if module == "contracts.runner":
        return "runner"
    for layer, names in LAYERS.items():
        if top in names:
            return layer
    raise AssertionError(f"{module} belongs to no layer: add it to ARCHITECTURE.md and this test")


def imports(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("contracts"):
            found.add(node.module)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names if alias.name.startswith("contracts"))
    return found


MODULES = sorted(
    (".".join(("contracts", *path.relative_to(PACKAGE).with_suffix("").parts)), path) for path in PACKAGE.rglob("*.py")
)


@pytest.mark.parametrize(("module", "path"), MODULES, ids=[name for name, _ in MODULES])
def test_imports_follow_the_layer_rules(module, path):
    own = layer_of(module)
    if own == "runner":
        own = "engine"
    allowed = ALLOWED[own]
    wrong = []
    for imported in imports(path):
        if imported == "contracts":
            continue
        layer = layer_of(imported)
        if layer not in allowed and not (layer == "runner" and "engine" in allowed):
            wrong.append(f"{imported} ({layer})")
    assert not wrong, f"{module} ({own}) may import only {sorted(allowed)}; it imports {wrong}"


def test_the_engine_knows_no_particular_vendor():
    engine = [path for name, path in MODULES if layer_of(name) in ("engine", "runner", "transport", "spec")]
    for path in engine:
        text = path.read_text().lower()
        for vendor in ("nexor", "pollybot", "dialnexa", "aura"):
            assert vendor not in text, f"{path.name} mentions {vendor}: vendor knowledge belongs in contracts/vendors"
