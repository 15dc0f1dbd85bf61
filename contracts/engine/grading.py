"""Severity follows evidence: a deviation from a stated or shown fact breaks the contract, one from a
contested or inferred fact is a warning that names its evidence.

Every finding about a documented fact gets the evidence of that fact (the spec's ``x-evidence``, read by
``contracts.spec.evidence``; a scenario's or probe's own evidence in the vendor data). Drift observations,
advisory checks and faults are not documented facts and keep their severity.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from weakref import WeakKeyDictionary

from contracts.spec.document import Spec
from contracts.spec.evidence import EvidenceIndex
from contracts.values.evidence import Evidence
from contracts.values.findings import Finding, Kind, Location, Severity
from contracts.values.model import Credentials, Vendor

FACT_KINDS = frozenset(
    {
        Kind.MISSING_FIELD,
        Kind.UNEXPECTED_NULL,
        Kind.TYPE_MISMATCH,
        Kind.FORMAT_MISMATCH,
        Kind.ENUM_MISMATCH,
        Kind.UNDOCUMENTED_STATUS,
        Kind.ERROR_BODY_MISMATCH,
        Kind.CONTENT_TYPE_MISMATCH,
        Kind.AUTH_NOT_ENFORCED,
        Kind.BEHAVIOR_MISMATCH,
    }
)
"""Kinds that say a documented fact was broken (drift, advisory input checks and faults are not)."""

LINK_CHECKS = frozenset({"use_after_free", "ensure_resource_availability"})
"""schemathesis checks of the behaviour the spec's links document."""

_INDEXES: WeakKeyDictionary[Spec, EvidenceIndex] = WeakKeyDictionary()


def evidence_index(spec: Spec) -> EvidenceIndex:
    """One memoised index per loaded spec."""
    index = _INDEXES.get(spec)
    if index is None:
        index = _INDEXES[spec] = EvidenceIndex(spec)
    return index


class Grader:
    """Finds the evidence of the fact a finding is about, and sets its severity by it."""

    def __init__(self, spec: Spec, vendor: Vendor) -> None:
        self.index = evidence_index(spec)
        self.behaviours: dict[str, Evidence | None] = {
            f"scenario:{scenario.name}": scenario.evidence for scenario in vendor.scenarios
        }
        self.behaviours.update({f"walk:{walk.name}": walk.evidence for walk in vendor.walks})
        self.probes = {f"probe:{probe.name}": probe for probe in vendor.probes}

    def evidence_for(self, finding: Finding) -> Evidence | None:
        if finding.kind not in FACT_KINDS:
            return None
        behaviour = self.behaviours.get(finding.source)
        if behaviour is not None and finding.kind is Kind.BEHAVIOR_MISMATCH and finding.check == finding.source:
            # The scenario's own expectations. Its responses' conformance (status documented, content type, body
            # schema) are the spec's facts and take the spec's evidence, as a probe's do.
            return behaviour
        operation = self.index.operations.get(finding.operation)
        if operation is None:
            return None
        probe = self.probes.get(finding.source)
        if (
            probe is not None
            and probe.evidence is not None
            and finding.kind is Kind.BEHAVIOR_MISMATCH
            and finding.location is Location.BODY
        ):
            return probe.evidence  # a body value the probe expects (``Probe.expect``)
        if finding.kind is Kind.UNDOCUMENTED_STATUS:
            return self.index.for_operation(operation)
        if finding.kind is Kind.AUTH_NOT_ENFORCED:
            # The requirement that a key is sent, where the spec says how the docs back it (probes and schemathesis's
            # ignored_auth alike); else the status refused credentials should get (a probe's, or the 401).
            restricted = probe is not None and probe.credentials is Credentials.RESTRICTED
            required = None if restricted else self.index.for_security(operation)
            if required is not None:
                return required  # a key the vendor did not ask for; a restricted key breaks the documented 403
            status: int | None = probe.expect_status if probe is not None else 401
        elif probe is not None and finding.location is Location.STATUS:
            # A probe is graded by the evidence of the status it expects (a restricted key served 200 breaks the
            # documented 403, not a 401).
            status = probe.expect_status
        elif finding.kind is Kind.BEHAVIOR_MISMATCH and finding.source.startswith("schemathesis"):
            if finding.check not in LINK_CHECKS:
                return None  # a server error or a fault: not a documented fact of this operation
            return self.index.for_operation(operation)
        else:
            status = finding.status_code
        response = operation.response_for(status) if status is not None else None
        if response is None:
            return self.index.for_operation(operation)
        if finding.location is Location.HEADER and finding.kind is not Kind.CONTENT_TYPE_MISMATCH:
            return self.index.for_header(operation, response, finding.path.lstrip("/"))
        if finding.location is Location.BODY and finding.kind is Kind.MISSING_FIELD:
            return self.index.for_presence(operation, response, finding.path)
        if finding.location is Location.BODY and finding.kind is not Kind.CONTENT_TYPE_MISMATCH:
            return self.index.for_field(operation, response, finding.path)
        return self.index.for_response(operation, response)

    def grade(self, finding: Finding) -> Finding:
        if finding.evidence is not None:
            return finding  # graded already (a unit's findings are graded as the unit ends)
        evidence = self.evidence_for(finding)
        if evidence is None:
            return finding
        severity = finding.severity
        if severity is Severity.ERROR and not evidence.binding:
            severity = Severity.WARNING
        return replace(finding, evidence=evidence, severity=severity)

    def grade_all(self, findings: Iterable[Finding]) -> list[Finding]:
        return [self.grade(finding) for finding in findings]

    def cite(self, finding: Finding) -> Finding:
        """A drift observation about a documented field (never present, always null) quotes that field's
        evidence too; its severity stays what drift gets."""
        if finding.evidence is not None or finding.kind is not Kind.NEVER_PRESENT:
            return finding
        operation = self.index.operations.get(finding.operation)
        # The documented status itself (not ``response_for``: finish matches each exchange once, and this is no match).
        response = operation.responses.get(str(finding.status_code)) if operation else None
        if operation is None or response is None:
            return finding
        return replace(finding, evidence=self.index.for_field(operation, response, finding.path))
