"""The contract suite: one generic module, parametrized over vendors, units of the plan and targets.

Every vendor runs the same tests; what differs between vendors is data (``contracts/vendors``) and
the spec. The ``live`` target runs the very same tests against the real vendors (``pytest -m live``).
"""

from __future__ import annotations

import pytest

from contracts.engine.context import load_spec
from contracts.engine.runner import plan_units
from contracts.pytest_plugin import assert_contract_holds
from contracts.vendors import VENDORS

TARGETS = ["fake", pytest.param("live", marks=pytest.mark.live)]

UNITS = [
    pytest.param(vendor, unit, id=f"{vendor.name}-{unit.id}")
    for vendor in VENDORS
    for unit in plan_units(vendor, load_spec(vendor))
]


@pytest.mark.parametrize("target", TARGETS)
@pytest.mark.parametrize("vendor", VENDORS, ids=lambda vendor: vendor.name)
def test_credentials_work(contract_run, vendor, target):
    """No vacuous pass: a documented 2xx with the configured key, or the whole vendor fails loudly."""
    run = contract_run(vendor, target)
    run.require()


@pytest.mark.parametrize("target", TARGETS)
@pytest.mark.parametrize(("vendor", "unit"), UNITS)
def test_contract(contract_run, contract_redactor, vendor, unit, target):
    run = contract_run(vendor, target)
    assert_contract_holds(run.run(unit), contract_redactor)
