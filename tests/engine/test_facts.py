"""Documented facts, and which of them a run's requests checked (facts checked per request).

The engine's rules on Acme, a made-up vendor (tests/fixtures/acme.py), and on specs written inline; the
last tests are about the real vendors: their fakes show every fact their specs document, and the live
default checks them all.
"""

from __future__ import annotations

import functools
from dataclasses import replace
from typing import Any

import pytest

from contracts.engine.context import load_spec
from contracts.engine.facts import documented_facts, field_pointers, measure, present_pointers
from contracts.engine.runner import run_vendor
from contracts.spec.document import Spec
from contracts.transport.client import Exchange, analyse
from contracts.transport.targets import FAKE_LIMITS, LIVE_LIMITS, fake_target
from contracts.values.results import Fact, FactKind, Outcome, VendorResult
from contracts.vendors import VENDORS, get_vendor
from tests.fixtures.acme import ACME
from tests.fixtures.exchanges import recorded_exchange

ACME_SPEC = load_spec(ACME)


def ids(spec: Spec = ACME_SPEC) -> set[str]:
    return {fact.id for fact in documented_facts(ACME, spec)}


def exchange(operation: str, status: int, body: Any, *, source: str = "test", attempts: int = 1) -> Exchange:
    return recorded_exchange(body, status=status, operation=operation, source=source, attempts=attempts)


def test_every_documented_status_field_error_body_and_behaviour_is_a_fact():
    facts = ids()
    assert "status GET /leads/{id} 404" in facts
    assert "field GET /leads/{id} 200 /campaign/id" in facts, "nested fields are facts"
    assert "error body GET /leads/{id} 404 /error" in facts, "error bodies are facts of their own kind"
    assert "behaviour probe:unknown id" in facts
    assert "behaviour scenario:create then read returns what was sent" in facts
    assert any(fact.startswith("behaviour link:POST /leads") for fact in facts)
    assert "field GET /leads/{id} 200 /notes/*/content" in facts, "array items are written *"


SHARED_RESPONSES = {
    "openapi": "3.1.0",
    "info": {"title": "Statuses sharing one response (made up)", "version": "1"},
    "servers": [{"url": "https://shared.example"}],
    "paths": {
        "/things": {
            "post": {
                "responses": {
                    "200": {"$ref": "#/components/responses/Made"},
                    "201": {"$ref": "#/components/responses/Made"},
                    "401": {"$ref": "#/components/responses/Refused"},
                    "403": {"$ref": "#/components/responses/Refused"},
                }
            }
        }
    },
    "components": {"responses": {"Made": {"description": "Made"}, "Refused": {"description": "Refused"}}},
}


def test_successes_that_share_one_documented_response_are_one_fact_and_errors_never_merge():
    facts = ids(Spec(SHARED_RESPONSES, source="shared.yaml"))
    assert "status POST /things 200|201" in facts
    assert not {"status POST /things 200", "status POST /things 201"} & facts
    assert {"status POST /things 401", "status POST /things 403"} <= facts
    assert "status POST /leads 200|201" in ids(), "Acme's create documents 200 and 201 with one response"


def test_statuses_we_never_provoke_are_observed_only_and_not_required():
    facts = documented_facts(ACME, ACME_SPEC)
    observed_only = {fact.id for fact in facts if fact.observed_only}
    assert "status GET /leads/{id} 500" in observed_only
    coverage = measure(facts, [], [], requests=0)
    assert coverage.total == len(facts) - len(observed_only)
    assert coverage.observed_only == (0, len(observed_only))
    assert not any(fact in coverage.unchecked for fact in observed_only)


def test_pointers_follow_refs_and_nullable_branches():
    lead = ACME_SPEC.resolve_pointer("#/components/schemas/Lead")
    pointers = set(field_pointers(ACME_SPEC, lead))
    assert {"/id", "/email", "/campaign", "/campaign/id"} <= pointers
    assert set(present_pointers({"a": [{"b~c/d": 1}], "e": None})) == {"/a", "/a/*/b~0c~1d", "/e"}


def test_a_field_counts_as_checked_only_when_a_response_carried_it():
    facts = documented_facts(ACME, ACME_SPEC)
    body = {"id": "123e4567-e89b-12d3-a456-426614174000", "email": "a@example.com"}
    coverage = measure(facts, analyse(ACME_SPEC, [exchange("GET /leads/{id}", 200, body)]), [], requests=1)
    assert "field GET /leads/{id} 200 /email" not in coverage.unchecked
    assert "field GET /leads/{id} 200 /campaign/id" in coverage.unchecked, "never sent: its type was never checked"
    assert "status GET /leads/{id} 200" not in coverage.unchecked
    assert coverage.checked == 3  # the status and two fields
    assert coverage.facts_per_request == 3.0


def test_undocumented_statuses_and_non_json_bodies_check_nothing_beyond_the_status():
    facts = documented_facts(ACME, ACME_SPEC)
    garbled = replace(exchange("GET /leads/{id}", 404, {}), content=b"<html>")
    exchanges = analyse(ACME_SPEC, [exchange("GET /leads/{id}", 418, {"id": "x"}), garbled])
    coverage = measure(facts, exchanges, [], requests=2)
    assert coverage.checked == 1  # GET 404's status


def test_each_unit_is_credited_with_the_facts_it_checked_first():
    facts = documented_facts(ACME, ACME_SPEC)
    body = {"id": "123e4567-e89b-12d3-a456-426614174000"}
    exchanges = [
        exchange("GET /leads/{id}", 200, body, source="guard"),
        exchange("GET /leads/{id}", 200, body, source="schemathesis:property:GET /leads/{id}", attempts=2),
    ]
    outcomes = [Outcome(name="probe:unknown id"), Outcome(name="probe:missing key", skipped="no key")]
    coverage = measure(facts, analyse(ACME_SPEC, exchanges), outcomes, requests=3)
    assert coverage.new_facts_by_source["guard"] == (1, 2)
    assert coverage.new_facts_by_source["schemathesis:property:GET /leads/{id}"] == (2, 0)
    assert coverage.new_facts_by_source["probe:unknown id"] == (0, 1), "a behaviour is checked when its probe ran"
    assert "behaviour probe:missing key" in coverage.unchecked, "a skipped probe checked nothing"


def test_a_run_credits_every_fact_its_requests_and_units_showed():
    """Statuses, fields and error bodies from the exchanges; probes, the scenario and the link from the units."""
    target = fake_target(ACME.fake(), base_url=ACME_SPEC.server_url).with_limits(max_examples=3, stateful_examples=3)
    result = run_vendor(ACME, target, spec=ACME_SPEC)
    assert result.coverage is not None
    assert result.coverage.unchecked == ("field POST /leads 200|201 /warning",), "the one member the fake never sends"
    assert result.coverage.checked == result.coverage.total - 1
    assert result.coverage.requests == result.requests


def test_facts_are_ordered_and_named_stably():
    facts = documented_facts(ACME, ACME_SPEC)
    assert list(facts) == sorted(facts)
    assert Fact(FactKind.BEHAVIOUR, "", "", "probe:x").id == "behaviour probe:x"


def test_a_retried_429_checks_its_observed_only_facts_and_counts_no_request_of_its_own():
    dialnexa = get_vendor("dialnexa")
    spec = load_spec(dialnexa)
    facts = documented_facts(dialnexa, spec)
    too_many = {"statusCode": 429, "message": "Too many requests.", "error": "Too Many Requests"}
    retried = replace(exchange("GET /campaigns-leads/{id}", 429, too_many, attempts=0), retried=True, attempt=1)
    answer = exchange("GET /campaigns-leads/{id}", 404, {"statusCode": 404, "message": "x", "error": "Not Found"})
    answer.attempts = 2  # the request's own exchange counts both of its attempts
    coverage = measure(facts, analyse(spec, [retried, answer]), [], requests=2)
    observed_only = {fact.id for fact in facts if fact.observed_only}
    assert {
        "status GET /campaigns-leads/{id} 429",
        "error body GET /campaigns-leads/{id} 429 /statusCode",
        "error body GET /campaigns-leads/{id} 429 /message",
        "error body GET /campaigns-leads/{id} 429 /error",
    } == {fact for fact in observed_only if "GET /campaigns-leads/{id} " in fact}
    assert coverage.observed_only == (4, len(observed_only))
    assert coverage.new_facts_by_source["test"][0] == 2


# -- the real vendors: what their fakes show, and what the lean live default keeps -----------------------


POLLYBOT_UNCHECKED = sorted(
    [
        # PollyBot's error envelope documents an optional `details` that its 401s and validation 400s never carry.
        *(
            f"error body {label} 401 /details"
            for label in (
                "DELETE /api/v1/leads/{leadId}",
                "GET /api/v1/leads",
                "GET /api/v1/leads/{leadId}",
                "POST /api/v1/chatbots/{chatbotId}/leads",
                "PUT /api/v1/leads/{leadId}",
            )
        ),
        "error body GET /api/v1/leads 400 /details",
        "error body POST /api/v1/chatbots/{chatbotId}/leads 400 /details",
        # The update's 400 for a malformed id (Get Lead's, with details) and the delete's 400 (only for a malformed
        # id), and the create's 404 for a chatbot the workspace does not have: the bindings let a run write only to
        # its own leads (or the unknown id) and the user's chatbot, so no run sends them.
        *(
            f"error body PUT /api/v1/leads/{{leadId}} 400 /details{member}"
            for member in ("", "/expected", "/leadId", "/message")
        ),
        "status DELETE /api/v1/leads/{leadId} 400",
        *(
            f"error body DELETE /api/v1/leads/{{leadId}} 400 {member}"
            for member in (
                "/code",
                "/details",
                "/details/expected",
                "/details/leadId",
                "/details/message",
                "/error",
                "/success",
            )
        ),
        "status POST /api/v1/chatbots/{chatbotId}/leads 404",
        *(
            f"error body POST /api/v1/chatbots/{{chatbotId}}/leads 404 {member}"
            for member in ("/code", "/details", "/error", "/success")
        ),
        # The list's items omit workspaceId, as the list page's example does.
        "field GET /api/v1/leads 200 /data/leads/*/workspaceId",
    ]
)
AURA_WRITES = ("PATCH /v1/leads/{id} 200", "POST /v1/leads 200|201")
DISQUALIFIED = (
    "/booking_link_id",
    "/evaluated_at",
    "/triggering_field",
    "/triggering_field/key",
    "/triggering_field/label",
    "/triggering_field/value",
)


@functools.cache
def full_run(vendor_name: str) -> VendorResult:
    """The fakes' default plan (every phase), with the live example budget."""
    vendor = get_vendor(vendor_name)
    # Three stateful scenarios reach every documented link: the stateful budget beyond them checks no further fact.
    limits = replace(FAKE_LIMITS, max_examples=LIVE_LIMITS.max_examples, stateful_examples=3)
    return run_vendor(vendor, fake_target(vendor.fake(), base_url=load_spec(vendor).server_url, limits=limits))


@pytest.mark.parametrize("vendor", VENDORS, ids=[vendor.name for vendor in VENDORS])
@pytest.mark.slow
def test_a_run_against_the_fake_checks_every_fact_the_fake_can_show(vendor):
    result = full_run(vendor.name)
    assert result.coverage is not None
    expected = POLLYBOT_UNCHECKED if vendor.name == "pollybot" else []
    if vendor.name == "dialnexa":  # `metadata`, the page's other name for `notes`, which the fake's records use
        expected = [f"field {label} /metadata" for label in DIALNEXA_METADATA]
        expected += [fact for status in DIALNEXA_BOUND_REFUSALS for fact in _status_and_error_body(status)]
    if vendor.name == "aura":
        # A create's or an update's answer is a lead this run created (the suite writes to nothing else): it has
        # not been disqualified, and a create's has no notes yet. Get Lead and the list show those members.
        expected = [
            *(f"field {label} /data/disqualification_data{member}" for label in AURA_WRITES for member in DISQUALIFIED),
            *(
                f"field POST /v1/leads 200|201 /data/notes/*/{member}"
                for member in ("content", "created_at", "user_id")
            ),
        ]
    assert sorted(result.coverage.unchecked) == sorted(expected)


def _status_and_error_body(status: str) -> list[str]:
    return [f"status {status}", *(f"error body {status} /{member}" for member in ("error", "message", "statusCode"))]


LIVE_DEFAULT_GAPS = {
    # Only the coverage phase reaches these 401s: a probe cannot name the configured DIALNEXA_WORKFLOW_ID or
    # DIALNEXA_CAMPAIGN_ID their paths are bound to; the workflow-lead DELETE's owned record is the seed's campaign
    # lead, which the workflow has not; and the campaign upload has no example to send (the leads an upload makes
    # cannot be deleted afterwards, so no live run should make them on every run).
    "dialnexa": (
        *_status_and_error_body("DELETE /workflows/{workflowId}/leads/{id} 401"),
        *_status_and_error_body("POST /campaigns-leads/upload-file/{campaignId} 401"),
    ),
}
DIALNEXA_METADATA = ("GET /campaigns-leads/{id} 200", "PATCH /campaigns-leads/{id} 200", "POST /campaigns-leads 201")
DIALNEXA_BOUND_REFUSALS = (
    # Answers to a write naming a campaign or workflow other than the configured one: the bindings refuse to send
    # such a write on every target, so no run provokes them (an unknown campaign or workflow, another org's one).
    "POST /campaigns-leads 404",
    "POST /campaigns-leads/upload-file/{campaignId} 403",
    "POST /campaigns-leads/upload-file/{campaignId} 404",
    "POST /workflows/{workflowId}/leads 403",
    "POST /workflows/{workflowId}/leads 404",
    "DELETE /workflows/{workflowId}/leads/{id} 403",
)


@pytest.mark.parametrize("vendor", VENDORS, ids=[vendor.name for vendor in VENDORS])
@pytest.mark.slow
def test_the_live_default_checks_the_same_facts_with_fewer_requests(vendor):
    """The live budget drops the inputs that checked no further fact; it must not drop a fact."""
    spec = load_spec(vendor)
    limits = replace(LIVE_LIMITS, request_budget=None, time_budget=None)
    full = full_run(vendor.name)
    live = run_vendor(vendor, fake_target(vendor.fake(), base_url=spec.server_url, limits=limits), spec=spec)
    assert full.coverage is not None
    assert live.coverage is not None
    dropped = LIVE_DEFAULT_GAPS.get(vendor.name, ())
    assert sorted(live.coverage.unchecked) == sorted({*full.coverage.unchecked, *dropped})
    assert live.coverage.checked == full.coverage.checked - len(dropped)
    assert live.requests < full.requests / 2
    assert live.coverage.facts_per_request > full.coverage.facts_per_request


def test_coverage_says_per_operation_which_of_its_facts_were_checked():
    spec = load_spec(ACME)
    result = run_vendor(ACME, fake_target(ACME.fake(), base_url=spec.server_url).with_limits(max_examples=2), spec=spec)
    assert result.coverage is not None
    by_operation = result.coverage.by_operation
    assert set(by_operation) == {operation.label for operation in spec.operations}
    facts = [fact for fact in documented_facts(ACME, spec) if fact.kind is not FactKind.BEHAVIOUR]
    for label, (checked, total) in by_operation.items():
        assert total == sum(1 for fact in facts if fact.operation == label and not fact.observed_only), label
        assert 0 < checked <= total, label
    assert result.coverage.as_dict()["by_operation"]["GET /leads/{id}"]["checked"] == by_operation["GET /leads/{id}"][0]
