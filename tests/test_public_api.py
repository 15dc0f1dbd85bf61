"""The public API: what ``contracts.__all__`` names, pinned, importable, and cheap to import."""

from __future__ import annotations

import importlib
import subprocess
import sys
from pathlib import Path

import pytest

import contracts

ROOT = Path(__file__).resolve().parent.parent

PUBLIC = {
    "VENDORS",
    "ConfigError",
    "ContractSuiteError",
    "CredentialsRejected",
    "ExitCode",
    "Finding",
    "IncompatibleDependency",
    "Kind",
    "Location",
    "MissingCredentials",
    "Outcome",
    "Published",
    "Redactor",
    "RunReport",
    "Secret",
    "Severity",
    "Spec",
    "SpecError",
    "Status",
    "Target",
    "UnsafeRequest",
    "Vendor",
    "VendorFake",
    "VendorFakes",
    "VendorFault",
    "VendorResult",
    "VendorRun",
    "fake_target",
    "get_vendor",
    "live_target",
    "load_spec",
    "open_vendor_run",
    "publish",
    "run_vendor",
    "select_target",
    "vendor_fakes",
}
"""A change here is a change of the public API: say so in the release notes."""


def test_the_public_api_is_pinned():
    assert set(contracts.__all__) == PUBLIC
    assert set(contracts._EXPORTS) == PUBLIC  # every lazy export is public, and the other way round


@pytest.mark.parametrize("name", sorted(PUBLIC))
def test_every_public_name_resolves_to_its_defining_module(name):
    value = getattr(contracts, name)
    module = importlib.import_module(contracts._EXPORTS[name])
    assert value is getattr(module, name)


def test_an_unknown_name_is_an_attribute_error():
    with pytest.raises(AttributeError, match="has no attribute 'run_everything'"):
        _ = contracts.run_everything


@pytest.mark.parametrize("package", ["values", "spec", "transport", "engine"])
def test_each_layer_names_its_modules(package):
    layer = importlib.import_module(f"contracts.{package}")
    on_disk = {path.stem for path in (ROOT / "contracts" / package).glob("*.py") if not path.stem.startswith("_")}
    assert set(layer.__all__) == on_disk


def test_importing_contracts_loads_no_engine():
    probe = (
        "import sys, contracts\nprint(','.join(m for m in ('schemathesis', 'hypothesis', 'httpx') if m in sys.modules))"
    )
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True, cwd=ROOT)
    assert result.stdout.strip() == ""


def test_the_documented_example_runs():
    """The module docstring's example, as written there."""
    vendor = contracts.get_vendor("aura")
    target = contracts.select_target(vendor, "fake", env_file=None)
    target = target.with_limits(max_examples=2, phases=("examples",))
    result = contracts.run_vendor(vendor, target)
    assert result.status is contracts.Status.PASS, result.contract_failures
