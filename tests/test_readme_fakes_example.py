"""Tests of our Nexor integration, against the contract suite's verified Nexor fake."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from contracts.testing import DropField


class NexorError(Exception):
    """Nexor did not do what our integration needs."""


def push_lead(base_url: str, api_key: str, first_name: str) -> dict[str, Any]:
    """Our integration: create a lead in Nexor and read it back."""
    with httpx.Client(base_url=base_url, headers={"X-API-Key": api_key}, timeout=5.0) as client:
        try:
            created = client.post("/leads", json={"first_name": first_name})
            created.raise_for_status()
            read = client.get(f"/leads/{created.json()['lead']['id']}")
            read.raise_for_status()
        except httpx.HTTPError as error:
            raise NexorError(f"Nexor failed: {error}") from error
    lead: dict[str, Any] = read.json()
    if lead.get("first_name") != first_name:
        raise NexorError(f"Nexor read back first_name={lead.get('first_name')!r}")
    return lead


def test_a_lead_is_created_and_read_back(vendor_fakes):
    with vendor_fakes("nexor") as nexor:
        lead = push_lead(nexor.base_url, nexor.api_key, "Ada")
    assert lead["id"] in nexor.leads  # the fake's state, seeded from the docs' example lead
    assert [call.request.method for call in nexor.calls] == ["POST", "GET"]


@pytest.mark.parametrize("fault", ["timeout", "status"])  # no answer in time; a 503
def test_a_failing_nexor_is_reported(vendor_fakes, fault):
    with vendor_fakes("nexor") as nexor:
        nexor.add_fault(fault, operation="POST /leads", status=503)
        with pytest.raises(NexorError):
            push_lead(nexor.base_url, nexor.api_key, "Ada")
    assert list(nexor.leads) == [nexor.known_lead_id]  # nothing was created


def test_a_lead_read_back_without_its_name_is_caught(vendor_fakes):
    with vendor_fakes("nexor") as nexor:
        # A defect breaks one documented fact: here the read loses the lead's first_name.
        nexor.add_defect(DropField(operation="GET /leads/{id}", pointer="/first_name"))
        with pytest.raises(NexorError, match="first_name=None"):
            push_lead(nexor.base_url, nexor.api_key, "Ada")
