"""The vendor data that keeps live runs safe is complete and names what exists (issue 10's "Live runs stay safe").

The client refuses what breaks a binding, but only a binding that is there: an unbound path parameter of a write
would let a property unit send a generated id, which on a live account may name somebody's lead.
"""

from __future__ import annotations

import json

import pytest

from contracts.engine.context import load_spec
from contracts.values.model import OWNED, Vendor
from contracts.vendors import VENDORS
from tests.fixtures.acme import ACME
from tests.fixtures.acme_lists import ACME_LISTS

ALL = [*VENDORS, ACME, ACME_LISTS]


def _ids(vendor: Vendor) -> str:
    return vendor.name


@pytest.mark.parametrize("vendor", ALL, ids=_ids)
def test_every_path_parameter_of_every_write_is_bound(vendor):
    spec = load_spec(vendor)
    unbound = [
        f"{operation.label}: {name}"
        for operation in spec.operations
        if operation.is_write
        for _, name in operation.path_template_names
        if name not in vendor.path_bindings.get(operation.label, {})
    ]
    assert unbound == [], f"bind these in {vendor.name}'s Vendor.path_bindings (OWNED or a variable)"


@pytest.mark.parametrize("vendor", ALL, ids=_ids)
def test_bindings_and_needs_name_operations_parameters_and_fields_that_exist(vendor):
    spec = load_spec(vendor)
    labels = {operation.label for operation in spec.operations}
    for label, bound in vendor.path_bindings.items():
        operation = spec.operation(label)
        assert operation.is_write, f"{label}: only writes are bound (reads are safe)"
        assert set(bound) <= {name for _, name in operation.path_template_names}, label
    for label, bound in vendor.body_bindings.items():
        operation = spec.operation(label)
        schema = spec.resolve_pointer(f"{operation.pointer}/requestBody/content/application~1json/schema")
        while "$ref" in schema:
            schema = spec.resolve_pointer(schema["$ref"])
        properties = set(schema.get("properties", {}))
        assert set(bound) <= properties, f"{label}: {set(bound) - properties} are not request-body fields"
    assert set(vendor.operation_needs) <= labels
    assert set(vendor.created_id_pointers) <= labels
    for creating, deleting in vendor.cleanup.items():
        assert creating in vendor.created_id_pointers, creating
        assert spec.operation(deleting).method == "DELETE", deleting
    for name in vendor.variable_names:
        assert name == name.lower(), name
        assert name.isidentifier(), name
    for label, bound in {**vendor.path_bindings, **vendor.body_bindings}.items():
        for value in bound.values():
            assert value == OWNED or value in vendor.variable_names, (label, value)


@pytest.mark.parametrize("vendor", ALL, ids=_ids)
def test_the_fake_provides_every_variable_the_vendor_data_names(vendor):
    fake = vendor.fake()
    assert set(vendor.variable_names) <= set(fake.fixtures), "a fake target must run every unit"


@pytest.mark.parametrize("vendor", ALL, ids=_ids)
def test_no_write_names_the_known_lead(vendor):
    """The known lead (``V_LEAD_ID``) is only ever read: no step, walk or probe of a write names it."""
    spec = load_spec(vendor)
    steps = [step for scenario in vendor.scenarios for step in scenario.steps]
    steps += [walk.create for walk in vendor.walks if walk.create is not None]
    steps += [seed for seed in (vendor.seed, *vendor.owned_seeds.values()) if seed is not None]
    writes = [(step.operation, step.path_params, step.body) for step in steps]
    writes += [(probe.operation, probe.path_params, None) for probe in vendor.probes]
    offending = [
        operation
        for operation, params, body in writes
        if spec.operation(operation).is_write and "{known_lead_id}" in json.dumps([params, body])
    ]
    assert offending == []
