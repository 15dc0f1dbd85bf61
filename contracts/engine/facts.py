"""Documented facts, and which of them a run's requests actually checked.

A *fact* is one thing the docs promise that a request can confirm or refute:
that an operation answers with a documented status, that a field of a
documented response (or error body) has its documented type and format, or
that a documented behaviour (a probe, a scenario, a link between operations)
holds. The facts come from the spec and the vendor's data; which were checked
comes from the run's exchanges (every response is validated, by schemathesis
or by our own checks) and outcomes. "Facts checked per request" is how the
suite shows that each request to a rate-limited vendor earns its place.

A field counts as checked when a response with that status carried a value at
its pointer (array items are ``*``): only then were its type and format
compared with the spec. A field that is optional and never sent stays unchecked.

Statuses that share one documented success response (a create that answers "200 or
201" with the same body) are one fact, ``200|201``. Statuses a run never
provokes on purpose (429, 5xx) are *observed only*: checked when the vendor
happens to send them, and not counted among the facts a run must check.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import TYPE_CHECKING, Any

from contracts.engine.grading import evidence_index
from contracts.spec.document import Operation, ResponseSpec, Spec
from contracts.spec.evidence import EvidenceIndex
from contracts.spec.shape import shape_of
from contracts.values.evidence import LEVELS, Evidence, Level
from contracts.values.findings import json_pointer
from contracts.values.results import Coverage, Fact, FactKind

if TYPE_CHECKING:
    from contracts.transport.client import AnalysedExchange
    from contracts.values.model import Probe, Scenario, Vendor, Walk
    from contracts.values.results import Outcome

__all__ = [
    "Fact",  # defined with the results (contracts.values.results), named here too: facts are this module's subject
    "FactKind",
    "documented_facts",
    "fact_evidence",
    "field_pointers",
    "level_of",
    "measure",
    "present_pointers",
]

_MAX_DEPTH = 12


def documented_facts(vendor: Vendor, spec: Spec) -> tuple[Fact, ...]:
    """Every fact the vendor's spec and data document, in a stable order."""
    facts: set[Fact] = set()
    for operation in spec.operations:
        for status, response in _grouped_responses(operation).items():
            facts.add(Fact(FactKind.STATUS, operation.label, status, ""))
            kind = FactKind.ERROR_BODY if status[0] in "45" else FactKind.FIELD
            for media_type in response.media_types:
                pointer = spec.response_schema_pointer(response, media_type)
                if pointer is None:
                    continue
                for subject in field_pointers(spec, spec.resolve_pointer(pointer)):
                    facts.add(Fact(kind, operation.label, status, subject))
    for probe in vendor.probes:
        facts.add(Fact(FactKind.BEHAVIOUR, "", "", f"probe:{probe.name}"))
    for scenario in vendor.scenarios:
        facts.add(Fact(FactKind.BEHAVIOUR, "", "", f"scenario:{scenario.name}"))
    for walk in vendor.walks:
        facts.add(Fact(FactKind.BEHAVIOUR, "", "", f"walk:{walk.name}"))
    for operation in spec.operations:
        for status, response in operation.responses.items():
            for name in spec.resolve_pointer(response.pointer).get("links", {}):
                facts.add(Fact(FactKind.BEHAVIOUR, "", "", f"link:{operation.label} {status} {name}"))
    return tuple(sorted(facts))


def _grouped_responses(operation: Operation) -> dict[str, ResponseSpec]:
    """Documented responses keyed by their statuses, those sharing one response object joined (``200|201``)."""
    by_pointer: dict[str, list[str]] = {}
    for status, response in operation.responses.items():
        # Only successes are alternatives of one another; 401 and 403 sharing an error body stay two facts.
        by_pointer.setdefault(response.pointer if status.startswith("2") else status, []).append(status)
    return {
        "|".join(statuses): operation.responses[statuses[0]]
        for statuses in sorted(by_pointer.values(), key=lambda statuses: statuses[0])
    }


def field_pointers(spec: Spec, schema: Any, path: tuple[str, ...] = ()) -> Iterator[str]:
    """Pointers of every property a schema documents (``*`` for array items), as ``shape_of`` flattens it."""
    if len(path) > _MAX_DEPTH:
        return
    shape = shape_of(spec, schema)
    for name, subschema in shape.properties.items():
        yield json_pointer([*path, name])
        yield from field_pointers(spec, subschema, (*path, name))
    if shape.items is not None:
        yield from field_pointers(spec, shape.items, (*path, "*"))


def present_pointers(value: Any, path: tuple[str, ...] = ()) -> Iterator[str]:
    """Pointers of every value present in a JSON document (array items as ``*``)."""
    if len(path) > _MAX_DEPTH:
        return
    if isinstance(value, dict):
        for name, member in value.items():
            yield json_pointer([*path, name])
            yield from present_pointers(member, (*path, str(name)))
    elif isinstance(value, list):
        for item in value:
            yield from present_pointers(item, (*path, "*"))


def fact_evidence(vendor: Vendor, spec: Spec, facts: Iterable[Fact]) -> dict[Fact, Evidence | None]:
    """The evidence each fact rests on (``contracts.spec.evidence``; probes and scenarios from the vendor data)."""
    index = evidence_index(spec)
    probes = {f"probe:{probe.name}": probe for probe in vendor.probes}
    scenarios: dict[str, Scenario | Walk] = {f"scenario:{scenario.name}": scenario for scenario in vendor.scenarios}
    scenarios.update({f"walk:{walk.name}": walk for walk in vendor.walks})
    found: dict[Fact, Evidence | None] = {}
    for fact in facts:
        if fact.kind is FactKind.BEHAVIOUR:
            found[fact] = _behaviour_evidence(fact.subject, index, probes, scenarios)
            continue
        operation = index.operations[fact.operation]
        response = operation.responses[fact.status.split("|")[0]]
        if fact.kind is FactKind.STATUS:
            found[fact] = index.for_response(operation, response)
        else:
            found[fact] = index.for_field(operation, response, fact.subject)
    return found


def _behaviour_evidence(
    subject: str, index: EvidenceIndex, probes: Mapping[str, Probe], scenarios: Mapping[str, Scenario | Walk]
) -> Evidence | None:
    if subject in scenarios:
        return scenarios[subject].evidence
    if subject in probes:
        probe = probes[subject]
        operation = index.operations[probe.operation]
        response = operation.responses.get(str(probe.expect_status))
        if probe.evidence is not None or response is None:
            return probe.evidence
        return index.for_response(operation, response)
    if subject.startswith("link:"):
        label, status, name = _link_parts(subject)
        operation = index.operations[label]
        response = operation.responses[status]
        link = index.spec.resolve_pointer(response.pointer).get("links", {}).get(name)
        return index.at(link, where=f"{response.pointer}/links/{name}") or index.for_response(operation, response)
    return None


def _link_parts(subject: str) -> tuple[str, str, str]:
    """``link:POST /leads 201 GetLeadById`` -> (``POST /leads``, ``201``, ``GetLeadById``)."""
    method, path, status, name = subject.removeprefix("link:").split(" ", 3)
    return f"{method} {path}", status, name


def level_of(evidence: Evidence | None) -> str:
    """The level a fact counts under in reports; a confirmed fact counts as stated."""
    if evidence is None:
        return "unannotated"
    return str(Level.STATED if evidence.confirmed is not None else evidence.level)


def measure(
    facts: Iterable[Fact],
    exchanges: Iterable[AnalysedExchange],
    outcomes: Iterable[Outcome],
    requests: int,
    evidence: Mapping[Fact, Evidence | None] | None = None,
) -> Coverage:
    """What ``exchanges`` and ``outcomes`` checked of ``facts``, with who checked what first (and, given
    ``evidence``, how many facts of each evidence level)."""
    documented = set(facts)
    # (operation, documented status) -> its fact's status key: "201" -> "200|201".
    status_keys = {
        (fact.operation, status): fact.status
        for fact in documented
        if fact.kind is FactKind.STATUS
        for status in fact.status.split("|")
    }
    checked: set[Fact] = set()
    new_by_source: dict[str, list[int]] = {}
    for item in exchanges:
        counts = new_by_source.setdefault(item.exchange.source, [0, 0])
        counts[0] += item.exchange.attempts
        before = len(checked)
        checked.update(_facts_of_exchange(item, status_keys) & documented)
        counts[1] += len(checked) - before
    for outcome in outcomes:
        if outcome.skipped or outcome.inconclusive:
            continue
        if outcome.name.startswith(("probe:", "scenario:", "walk:")):
            behaviours = {Fact(FactKind.BEHAVIOUR, "", "", outcome.name)}
        elif outcome.name == "schemathesis:stateful" and outcome.cases:
            behaviours = {fact for fact in documented if fact.subject.startswith("link:")}
        else:
            continue
        before = len(checked)
        checked.update(behaviours & documented)
        new_by_source.setdefault(outcome.name, [0, 0])[1] += len(checked) - before
    observed_only = {fact for fact in documented if fact.observed_only}
    required = documented - observed_only
    by_kind = {
        str(kind): (
            sum(1 for fact in checked & required if fact.kind == kind),
            sum(1 for fact in required if fact.kind == kind),
        )
        for kind in FactKind
        if any(fact.kind == kind for fact in required)
    }
    levels = {fact: level_of(evidence.get(fact)) for fact in required} if evidence is not None else {}
    by_level = {
        level: (
            sum(1 for fact in checked & required if levels[fact] == level),
            sum(1 for fact in required if levels[fact] == level),
        )
        for level in [*map(str, LEVELS), "unannotated"]
        if level in levels.values()
    }
    return Coverage(
        total=len(required),
        checked=len(checked & required),
        requests=requests,
        by_kind=by_kind,
        by_level=by_level,
        unchecked=tuple(fact.id for fact in sorted(required - checked)),
        new_facts_by_source={source: (counts[0], counts[1]) for source, counts in new_by_source.items()},
        observed_only=(len(checked & observed_only), len(observed_only)),
    )


def _facts_of_exchange(item: AnalysedExchange, status_keys: Mapping[tuple[str, str], str]) -> set[Fact]:
    if item.operation is None or item.documented is None:
        return set()
    label = item.operation.label
    status = status_keys.get((label, item.documented.status))
    if status is None:
        return set()
    kind = FactKind.ERROR_BODY if status[0] in "45" else FactKind.FIELD
    fields = (Fact(kind, label, status, pointer) for pointer in present_pointers(item.body))
    return {Fact(FactKind.STATUS, label, status, ""), *fields}
