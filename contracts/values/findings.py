"""Findings: what a vendor's API did differently from its spec, as plain values.

A finding is produced by a check, never raised. Renderers (pytest messages,
reports) consume findings; nothing here formats for a particular output.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from contracts.values.evidence import Evidence

if TYPE_CHECKING:
    from contracts.values.redaction import Redactor

OBSERVED_LIMIT = 200
"""Observed values are truncated to this many characters in findings."""


class Severity(StrEnum):
    """``error`` breaks the contract; ``warning`` and ``info`` are drift, never a failure."""

    ERROR = "error"
    WARNING = "warning"
    INFO = "info"

    @property
    def rank(self) -> int:
        return {"error": 0, "warning": 1, "info": 2}[self.value]


class Kind(StrEnum):
    MISSING_FIELD = "missing_field"
    UNEXPECTED_NULL = "unexpected_null"
    TYPE_MISMATCH = "type_mismatch"
    FORMAT_MISMATCH = "format_mismatch"
    ENUM_MISMATCH = "enum_mismatch"
    UNDOCUMENTED_STATUS = "undocumented_status"
    ERROR_BODY_MISMATCH = "error_body_mismatch"
    CONTENT_TYPE_MISMATCH = "content_type_mismatch"
    AUTH_NOT_ENFORCED = "auth_not_enforced"
    BEHAVIOR_MISMATCH = "behavior_mismatch"
    INPUT_NOT_REJECTED = "input_not_rejected"
    UNDOCUMENTED_FIELD = "undocumented_field"
    NEVER_PRESENT = "never_present"
    DEPRECATION = "deprecation"
    UNREACHABLE = "unreachable"
    FAKE_MISMATCH = "fake_mismatch"
    """Only ``contracts replay``: the fake answered a recorded request in another shape than the vendor did."""


class Location(StrEnum):
    """Which part of the response ``path`` points into."""

    BODY = "body"
    HEADER = "header"
    STATUS = "status"
    REQUEST = "request"


@dataclass(frozen=True, kw_only=True)
class Finding:
    """One deviation of a vendor's response from its spec.

    ``path`` is a JSON pointer into the part of the response named by
    ``location`` (the body by default; for headers it is ``/<header-name>``).
    ``expected`` says what the spec promises; ``observed`` what came back,
    already redacted and truncated.
    """

    vendor: str
    operation: str
    status_code: int | None
    kind: Kind
    severity: Severity
    path: str
    expected: str
    observed: str
    check: str
    message: str = ""
    location: Location = Location.BODY
    count: int = 1
    source: str = ""
    """What produced it: ``probe:<name>``, ``scenario:<name>``, ``schemathesis:<phase>`` or ``observation``."""
    example: dict[str, Any] = field(default_factory=dict, compare=False)
    """A redacted request that reproduces it: ``{"method", "url", "body"?}``."""
    evidence: Evidence | None = field(default=None, compare=False)
    """The doc line the broken fact rests on; its level set the severity. None for drift and faults."""

    @property
    def is_contract_failure(self) -> bool:
        return self.severity is Severity.ERROR

    @property
    def fingerprint(self) -> str:
        """Stable across runs for the same deviation: array indices and observed values are not part of it."""
        generic_path = re.sub(r"/\d+(?=/|$)", "/*", self.path)
        key = "|".join(
            (self.vendor, self.operation, str(self.status_code), self.kind, self.location, generic_path, self.check)
        )
        return hashlib.sha256(key.encode()).hexdigest()[:16]

    def to_json(self) -> dict[str, Any]:
        return {
            "vendor": self.vendor,
            "operation": self.operation,
            "status_code": self.status_code,
            "kind": str(self.kind),
            "severity": str(self.severity),
            "location": str(self.location),
            "path": self.path,
            "expected": self.expected,
            "observed": self.observed,
            "check": self.check,
            "source": self.source,
            "message": self.message,
            "example": self.example,
            "count": self.count,
            "evidence": self.evidence.to_json() if self.evidence is not None else None,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Finding:
        return cls(
            vendor=data["vendor"],
            operation=data["operation"],
            status_code=data.get("status_code"),
            kind=Kind(data["kind"]),
            severity=Severity(data["severity"]),
            location=Location(data.get("location", "body")),
            path=data.get("path", ""),
            expected=data.get("expected", ""),
            observed=data.get("observed", ""),
            check=data.get("check", ""),
            source=data.get("source", ""),
            message=data.get("message", ""),
            example=data.get("example", {}),
            count=int(data.get("count", 1)),
            evidence=Evidence.from_json(data["evidence"]) if data.get("evidence") else None,
        )

    def redacted(self, redactor: Redactor) -> Finding:
        """The same finding with every configured secret masked in its texts and example."""
        return replace(
            self,
            expected=redactor.scrub(self.expected),
            observed=redactor.scrub(self.observed),
            message=redactor.scrub(self.message),
            path=redactor.scrub(self.path),
            example=redactor.scrub_value(self.example),
        )

    def headline(self) -> str:
        """One line naming vendor, operation, status, pointer, expected and observed."""
        status = self.status_code if self.status_code is not None else "-"
        where = f"{self.location} {self.path or '/'}"
        line = (
            f"[{self.severity}] {self.vendor} {self.operation} -> {status}: {self.kind} at {where}: "
            f"expected {self.expected}; observed {self.observed}"
        )
        return f"{line} [evidence {self.evidence.cite()}]" if self.evidence is not None else line


def describe_value(value: Any, limit: int = OBSERVED_LIMIT) -> str:
    """Render an observed value compactly as JSON, truncated to ``limit`` characters."""
    try:
        text = json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)
    except (TypeError, ValueError):
        text = repr(value)
    return truncate(text, limit)


def truncate(text: str, limit: int = OBSERVED_LIMIT) -> str:
    if len(text) <= limit:
        return text
    return f"{text[: limit - 1]}… ({len(text)} chars)"


def json_pointer(parts: Iterable[str | int]) -> str:
    """Build an RFC 6901 pointer from path segments."""
    escaped = (str(part).replace("~", "~0").replace("/", "~1") for part in parts)
    return "".join(f"/{part}" for part in escaped)


def merge(findings: Iterable[Finding]) -> list[Finding]:
    """Collapse findings with the same fingerprint into one, summing counts and keeping the first example."""
    merged: dict[str, Finding] = {}
    for finding in findings:
        key = finding.fingerprint
        if key in merged:
            merged[key] = replace(merged[key], count=merged[key].count + finding.count)
        else:
            merged[key] = finding
    return sorted(merged.values(), key=sort_key)


def sort_key(finding: Finding) -> tuple[int, str, str, str, str]:
    return (finding.severity.rank, finding.vendor, finding.operation, finding.kind, finding.path)


def contract_failures(findings: Iterable[Finding]) -> list[Finding]:
    return [finding for finding in findings if finding.is_contract_failure]
