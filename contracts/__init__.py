"""Contract tests and drift reports for third-party lead-management APIs.

The public API is what ``__all__`` names; everything else may change without notice. Names are
imported on first use, so ``import contracts`` stays cheap (no engine, no schemathesis) until a run
is asked for::

    import contracts

    vendor = contracts.get_vendor("nexor")
    target = contracts.select_target(vendor, "fake", env_file=None)
    result = contracts.run_vendor(vendor, target)
    assert result.status is contracts.Status.PASS, result.contract_failures
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

# name -> module that defines it
_EXPORTS = {
    # the vendors the suite knows, as data
    "VENDORS": "contracts.vendors",
    "get_vendor": "contracts.vendors",
    "Vendor": "contracts.values.model",
    # specs
    "Spec": "contracts.spec.document",
    "load_spec": "contracts.engine.context",
    # targets: the built-in fakes or the live vendors
    "Target": "contracts.transport.targets",
    "fake_target": "contracts.transport.targets",
    "live_target": "contracts.config",
    "select_target": "contracts.pipeline",
    # the verified fakes, for the tests of your own integration
    "vendor_fakes": "contracts.testing",
    "VendorFake": "contracts.testing",
    "VendorFakes": "contracts.testing",
    # running, and what a run produces
    "VendorRun": "contracts.engine.runner",
    "run_vendor": "contracts.engine.runner",
    "open_vendor_run": "contracts.pipeline",
    "VendorResult": "contracts.values.results",
    "Status": "contracts.values.results",
    "Outcome": "contracts.values.results",
    "Finding": "contracts.values.findings",
    "Kind": "contracts.values.findings",
    "Severity": "contracts.values.findings",
    "Location": "contracts.values.findings",
    # reports
    "publish": "contracts.pipeline",
    "Published": "contracts.pipeline",
    "RunReport": "contracts.report.model",
    "ExitCode": "contracts.report.model",
    # secrets
    "Redactor": "contracts.values.redaction",
    "Secret": "contracts.values.redaction",
    # errors: our setup (ContractSuiteError and below) versus the vendor's availability (VendorFault)
    "ContractSuiteError": "contracts.values.errors",
    "SpecError": "contracts.values.errors",
    "ConfigError": "contracts.values.errors",
    "MissingCredentials": "contracts.values.errors",
    "IncompatibleDependency": "contracts.values.errors",
    "CredentialsRejected": "contracts.values.errors",
    "UnsafeRequest": "contracts.values.errors",
    "VendorFault": "contracts.values.errors",
}

__all__ = [
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
]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'contracts' has no attribute {name!r}")
    value = getattr(import_module(module), name)
    globals()[name] = value  # imported once
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})


if TYPE_CHECKING:
    from contracts.config import live_target
    from contracts.engine.context import load_spec
    from contracts.engine.runner import VendorRun, run_vendor
    from contracts.pipeline import Published, open_vendor_run, publish, select_target
    from contracts.report.model import ExitCode, RunReport
    from contracts.spec.document import Spec
    from contracts.testing import VendorFake, VendorFakes, vendor_fakes
    from contracts.transport.targets import Target, fake_target
    from contracts.values.errors import (
        ConfigError,
        ContractSuiteError,
        CredentialsRejected,
        IncompatibleDependency,
        MissingCredentials,
        SpecError,
        UnsafeRequest,
        VendorFault,
    )
    from contracts.values.findings import Finding, Kind, Location, Severity
    from contracts.values.model import Vendor
    from contracts.values.redaction import Redactor, Secret
    from contracts.values.results import Outcome, Status, VendorResult
    from contracts.vendors import VENDORS, get_vendor
