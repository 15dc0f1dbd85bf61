"""Evidence: x-evidence read the way facts are named, nearest node first; severity follows it."""

from __future__ import annotations

import copy
from dataclasses import replace
from typing import Any

import pytest

from contracts.engine.context import load_spec
from contracts.engine.facts import documented_facts, fact_evidence
from contracts.engine.grading import Grader
from contracts.spec.document import Spec
from contracts.spec.evidence import EvidenceIndex
from contracts.values.errors import SpecError
from contracts.values.evidence import Evidence, Level
from contracts.values.findings import Finding, Kind, Location, Severity
from contracts.vendors import VENDORS

STATED = {"level": "stated", "source": "page-a", "quote": "Returns the item."}

RAW: dict[str, Any] = {
    "openapi": "3.1.0",
    "info": {"title": "evidence", "version": "1", "x-sources": ["page-a"]},
    "servers": [{"url": "https://api.example.test"}],
    "paths": {
        "/items/{id}": {
            "get": {
                "operationId": "getItem",
                "x-evidence": STATED,
                "parameters": [{"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}],
                "responses": {
                    "200": {
                        "description": "the item",
                        "headers": {"X-Limit": {"$ref": "#/components/headers/X-Limit"}},
                        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Item"}}},
                    },
                    "404": {
                        "description": "not found",
                        "x-inferred": True,
                        "x-inferred-reason": "the vendor's error convention",
                        "content": {"application/json": {"schema": {"type": "object"}}},
                    },
                },
            }
        }
    },
    "components": {
        "headers": {
            "X-Limit": {
                "schema": {"type": "integer"},
                "x-evidence": {"level": "inferred", "source": "limits page", "quote": "on every response"},
            }
        },
        "schemas": {
            "Item": {
                "type": "object",
                "required": ["id", "owner"],
                "properties": {
                    "id": {"type": "string"},
                    "owner": {
                        "$ref": "#/components/schemas/Owner",
                        "x-evidence": {"level": "contested", "source": "page-b", "quote": "owner is optional"},
                    },
                    "tags": {"type": "array", "items": {"$ref": "#/components/schemas/Tag"}},
                },
            },
            "Owner": {"type": "object", "properties": {"name": {"type": "string"}}},
            "Tag": {
                "type": "object",
                "x-evidence": {
                    "level": "shown",
                    "source": "page-a",
                    "quote": "tags: [{slug}]",
                    "confirmed": {"by": "ana@example.com", "on": "2026-11-30"},
                },
                "properties": {"slug": {"type": "string"}},
            },
        },
    },
}


@pytest.fixture
def index() -> EvidenceIndex:
    return EvidenceIndex(Spec(copy.deepcopy(RAW), source="evidence.yaml"))


def levels(index: EvidenceIndex, pointer: str, status: str = "200") -> Level | None:
    operation = index.operations["GET /items/{id}"]
    evidence = index.for_field(operation, operation.responses[status], pointer)
    return evidence.level if evidence else None


def test_a_field_takes_the_nearest_evidence_on_the_way_down(index):
    assert levels(index, "/id") is Level.STATED  # nothing on the field: the operation's
    assert levels(index, "/owner") is Level.CONTESTED  # on the $ref's sibling keys
    assert levels(index, "/owner/name") is Level.CONTESTED  # inherited from its parent
    assert levels(index, "/tags/0/slug") is Level.SHOWN  # through array items and a $ref'd component
    assert levels(index, "/tags/*/slug") is Level.SHOWN  # facts name items with *
    assert levels(index, "/not/in/the/schema") is Level.STATED


def test_presence_can_be_backed_apart_from_what_a_field_is():
    raw = copy.deepcopy(RAW)
    raw["components"]["schemas"]["Item"]["x-evidence-presence"] = {
        "level": "contested",
        "source": "page-b",
        "quote": "the item comes wrapped in {data}",
    }
    grader = Grader(Spec(raw, source="evidence.yaml"), VENDORS[0])
    missing = grader.grade(finding(Kind.MISSING_FIELD, "/id"))
    assert missing.severity is Severity.WARNING
    assert missing.evidence is not None
    assert missing.evidence.quote == "the item comes wrapped in {data}"
    wrong = grader.grade(finding(Kind.TYPE_MISMATCH, "/id"))
    assert wrong.severity is Severity.ERROR  # what the field is stays stated
    owner = grader.grade(finding(Kind.MISSING_FIELD, "/owner"))
    assert owner.evidence is not None
    assert owner.evidence.quote == "the item comes wrapped in {data}"  # presence: the nearest presence evidence


def test_x_inferred_is_inferred_with_its_reason(index):
    operation = index.operations["GET /items/{id}"]
    evidence = index.for_response(operation, operation.responses["404"])
    assert evidence == Evidence(Level.INFERRED, source="page-a", quote="the vendor's error convention")
    assert index.for_field(operation, operation.responses["404"], "/error") == evidence


def test_auth_is_graded_by_the_security_scheme_where_it_says_how_the_docs_back_it():
    raw = copy.deepcopy(RAW)
    raw["security"] = [{"ApiKeyAuth": []}]
    raw["components"]["securitySchemes"] = {"ApiKeyAuth": {"type": "apiKey", "in": "header", "name": "X-Key"}}
    raw["paths"]["/items/{id}"]["get"]["responses"]["401"] = {
        "description": "no key",
        "x-inferred": True,
        "x-inferred-reason": "the auth page",
    }
    unannotated = Grader(Spec(copy.deepcopy(raw), source="evidence.yaml"), VENDORS[0])
    auth = finding(Kind.AUTH_NOT_ENFORCED, "", location=Location.STATUS)
    assert unannotated.grade(auth).severity is Severity.WARNING  # the inferred 401
    raw["components"]["securitySchemes"]["ApiKeyAuth"]["x-evidence"] = {
        "level": "stated",
        "source": "page-a",
        "quote": "X-Key header required",
    }
    annotated = Grader(Spec(raw, source="evidence.yaml"), VENDORS[0]).grade(auth)
    assert annotated.severity is Severity.ERROR
    assert annotated.evidence is not None
    assert annotated.evidence.quote == "X-Key header required"


def test_headers_take_their_own_evidence(index):
    operation = index.operations["GET /items/{id}"]
    evidence = index.for_header(operation, operation.responses["200"], "X-Limit")
    assert evidence is not None
    assert (evidence.level, evidence.quote) == (Level.INFERRED, "on every response")


def test_a_confirmation_makes_a_fact_binding_and_is_cited(index):
    operation = index.operations["GET /items/{id}"]
    evidence = index.for_field(operation, operation.responses["200"], "/tags/*/slug")
    assert evidence is not None
    assert evidence.confirmed is not None
    assert evidence.binding
    assert "confirmed with the vendor by ana@example.com on 2026-11-30" in evidence.cite()
    contested = Evidence(Level.CONTESTED, source="s", quote="q")
    assert not contested.binding
    assert Evidence.from_json(evidence.to_json()) == evidence


@pytest.mark.parametrize(
    "broken",
    [
        {"level": "probably", "source": "s", "quote": "q"},
        {"level": "stated", "source": "", "quote": "q"},
        {"level": "stated", "source": "s"},
        {"level": "stated", "source": "s", "quote": "q", "confirmed": {"by": "me"}},
    ],
    ids=["unknown level", "empty source", "no quote", "confirmation without a date"],
)
def test_malformed_evidence_is_a_spec_error_naming_where(broken):
    raw = copy.deepcopy(RAW)
    raw["components"]["schemas"]["Item"]["properties"]["id"]["x-evidence"] = broken
    index = EvidenceIndex(Spec(raw, source="evidence.yaml"))
    operation = index.operations["GET /items/{id}"]
    with pytest.raises(SpecError, match="evidence"):
        index.for_field(operation, operation.responses["200"], "/id")


def finding(kind: Kind, path: str, *, status: int = 200, location: Location = Location.BODY) -> Finding:
    return Finding(
        vendor="acme",
        operation="GET /items/{id}",
        status_code=status,
        kind=kind,
        severity=Severity.ERROR,
        path=path,
        location=location,
        expected="x",
        observed="y",
        check="response_schema_conformance",
        source="schemathesis:property:GET /items/{id}",
    )


def test_severity_follows_evidence():
    # The vendor record only supplies scenario and probe evidence, which these findings do not come from.
    grader = Grader(Spec(copy.deepcopy(RAW), source="evidence.yaml"), VENDORS[0])
    stated = grader.grade(finding(Kind.TYPE_MISMATCH, "/id"))
    assert stated.severity is Severity.ERROR
    assert stated.evidence is not None
    assert stated.evidence.level is Level.STATED
    contested = grader.grade(finding(Kind.MISSING_FIELD, "/owner"))
    assert contested.severity is Severity.WARNING
    assert contested.evidence is not None
    assert "owner is optional" in contested.headline()
    header = grader.grade(finding(Kind.MISSING_FIELD, "/x-limit", location=Location.HEADER))
    assert header.severity is Severity.WARNING
    confirmed = grader.grade(finding(Kind.TYPE_MISMATCH, "/tags/0/slug"))
    assert confirmed.severity is Severity.ERROR
    drift = grader.grade(replace(finding(Kind.UNDOCUMENTED_FIELD, "/new"), severity=Severity.INFO))
    assert drift.evidence is None
    assert drift.severity is Severity.INFO
    assert grader.grade(contested) is contested  # graded once


@pytest.mark.parametrize("vendor", VENDORS, ids=lambda vendor: vendor.name)
def test_every_documented_fact_says_how_the_docs_back_it(vendor):
    spec = load_spec(vendor)
    evidence = fact_evidence(vendor, spec, documented_facts(vendor, spec))
    missing = sorted(fact.id for fact, found in evidence.items() if found is None)
    assert missing == [], f"{vendor.name}: facts without evidence"


def test_a_documented_field_never_seen_quotes_its_evidence_and_stays_drift():
    grader = Grader(Spec(copy.deepcopy(RAW), source="evidence.yaml"), VENDORS[0])
    never = replace(finding(Kind.NEVER_PRESENT, "/owner"), severity=Severity.INFO, check="drift_observation")
    cited = grader.cite(never)
    assert cited.severity is Severity.INFO
    assert cited.evidence is not None
    assert cited.evidence.quote == "owner is optional"
    undocumented = replace(finding(Kind.UNDOCUMENTED_FIELD, "/new"), severity=Severity.WARNING)
    assert grader.cite(undocumented) is undocumented  # no doc line to quote: the docs do not have it
