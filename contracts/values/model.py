"""The vocabulary in which per-vendor knowledge is written down as data.

A ``Vendor`` names its spec, how it authenticates, the explicit checks its docs
promise (``Probe``), the documented behaviours to verify (``Scenario``) and the
safety rules for live runs. The engine reads these records; it never imports a
particular vendor.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from contracts.values.evidence import Evidence
from contracts.values.findings import Kind

if TYPE_CHECKING:
    import httpx

SPECS_DIR = Path(__file__).resolve().parents[2] / "specs"


def lazy_fake(module: str, name: str) -> Callable[..., FakeService]:
    """A fake's constructor, imported on first call: vendor data stays cheap to import (``contracts --help``)."""

    def build(*args: Any, **kwargs: Any) -> FakeService:
        factory: Callable[..., FakeService] = getattr(importlib.import_module(module), name)
        return factory(*args, **kwargs)

    build.__qualname__ = f"lazy_fake({module}:{name})"
    return build


class FakeService(Protocol):
    """What the engine needs from a vendor fake (implemented by ``contracts.fakes``)."""

    @property
    def name(self) -> str: ...

    @property
    def server_path(self) -> str: ...

    @property
    def api_key(self) -> str: ...

    @property
    def restricted_key(self) -> str | None: ...

    @property
    def known_lead_id(self) -> str: ...

    @property
    def fixtures(self) -> Mapping[str, str]:
        """Ids of records the fake seeds that scenarios may refer to (e.g. a workflow to assign)."""
        ...

    def httpx_handler(self, request: httpx.Request) -> httpx.Response: ...

    def asgi_app(self) -> Any: ...

    def reset(self) -> None: ...


class Credentials(StrEnum):
    """Which credential a request presents."""

    VALID = "valid"
    NONE = "none"
    INVALID = "invalid"
    """A well-formed key that the vendor has never issued."""
    RESTRICTED = "restricted"
    """A real key without permission for the resource (only where the vendor documents 403)."""


class Capability(StrEnum):
    """What a check needs the target to allow. Fakes allow everything; live vendors opt in per vendor."""

    WRITES = "writes"
    OUTREACH = "outreach"
    RESTRICTED_KEY = "restricted_key"
    KNOWN_LEAD = "known_lead"
    UNDOCUMENTED_METHODS = "undocumented_methods"
    """Send methods the spec does not document (to check they are refused). Never on a live vendor:
    a DELETE that the docs do not mention may still archive a real lead."""


class _Marker:
    def __init__(self, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return self.name


PRESENT = _Marker("PRESENT")
"""Expectation: the pointer exists (any value)."""
ABSENT = _Marker("ABSENT")
"""Expectation: the pointer does not exist."""


@dataclass(frozen=True, kw_only=True)
class Probe:
    """One request with known input whose documented status and body (per the spec) are checked.

    ``path_params`` values may be ``{known_lead_id}`` or ``{unknown_id}``; they are filled in per run.
    ``expect_schema`` narrows the body check to a component (``#/components/schemas/MissingApiKeyError``);
    by default the body is checked against the spec's schema for the expected status.
    ``expect`` maps JSON pointers in the body of the expected status to the values they must hold (equal),
    beyond what the schema says: e.g. an error body that echoes the id asked for. Strings may hold the
    run's placeholders (``{unknown_id}``, ``{known_lead_id}``) and the probe's path parameters by name
    (``{leadId}``: the value sent). A value that differs is a ``behavior_mismatch`` graded by ``evidence``.
    Only values are compared: whether a member must be there is the schema's fact, so a pointer the body
    lacks, or that the schema check already faults (it or a member above it), is left to the schema.
    """

    name: str
    operation: str
    expect_status: int
    path_params: Mapping[str, str] = field(default_factory=dict)
    credentials: Credentials = Credentials.VALID
    expect_schema: str | None = None
    expect: Mapping[str, Any] = field(default_factory=dict)
    doc: str = ""
    evidence: Evidence | None = None
    """The doc line the probed behaviour rests on, where it goes beyond the spec's facts (which the spec's
    ``x-evidence`` covers): the evidence of the ``expect`` values."""
    variables: tuple[str, ...] = ()
    """Values the target must provide for ``path_params`` (``{chatbot_id}``); without them it is skipped."""

    @property
    def needs(self) -> frozenset[Capability]:
        needs = set()
        if self.credentials is Credentials.RESTRICTED:
            needs.add(Capability.RESTRICTED_KEY)
        templates = [*self.path_params.values(), *self.expect.values()]
        if any(isinstance(value, str) and "{known_lead_id}" in value for value in templates):
            needs.add(Capability.KNOWN_LEAD)
        return frozenset(needs)


@dataclass(frozen=True, kw_only=True)
class Upload:
    """A file a step sends as ``multipart/form-data`` (a CSV of ``rows``, or ``content`` as it is).

    CSV columns are the union of the rows' keys, in first-seen order; a row without a column leaves it empty.
    Cells and ``content`` may hold the run's ``{placeholders}``.
    """

    rows: tuple[Mapping[str, str], ...] = ()
    content: str | None = None
    """The file's text as it is (a file the docs say is refused); ``rows`` is ignored when it is set."""
    field: str = "file"
    filename: str = "leads.csv"
    media_type: str = "text/csv"


@dataclass(frozen=True, kw_only=True)
class Step:
    """One request in a scenario, with expectations on the response.

    Strings in ``path_params`` and ``body`` may hold ``{variable}`` placeholders: ``{unique_email}``,
    ``{run_marker}``, ``{known_lead_id}`` and anything an earlier step saved. ``expect`` maps JSON
    pointers in the response body to expected values: a dict matches when it is contained in the
    observed dict, ``PRESENT``/``ABSENT`` test existence, anything else must be equal.
    """

    operation: str
    expect_status: tuple[int, ...]
    path_params: Mapping[str, str] = field(default_factory=dict)
    body: Any = None
    query: Mapping[str, str] = field(default_factory=dict)
    upload: Upload | None = None
    """A file to send as ``multipart/form-data`` instead of a JSON ``body``."""
    expect: Mapping[str, Any] = field(default_factory=dict)
    save: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, kw_only=True)
class Scenario:
    """A documented behaviour, checked by a short sequence of requests."""

    name: str
    doc: str
    steps: tuple[Step, ...]
    needs: frozenset[Capability] = frozenset()
    variables: tuple[str, ...] = ()
    """Values the target must provide (fakes know them; live runs read ``<PREFIX>_<NAME>``)."""
    evidence: Evidence | None = None
    """The doc line the behaviour rests on; a deviation from a contested or inferred one is a warning."""


class Paging(StrEnum):
    """How a list operation pages: by page number (``page``/``limit`` and totals) or by an opaque cursor."""

    PAGE = "page"
    CURSOR = "cursor"


@dataclass(frozen=True, kw_only=True)
class ItemFilter:
    """A list filter: asking ``query`` must give only items whose ``pointer`` matches ``value``.

    ``contains`` matches case-insensitively inside any of ``pointer``'s ``|``-separated alternatives
    (``/name|/email`` for a search over name and email); otherwise the value must be equal.
    """

    query: Mapping[str, str]
    pointer: str
    value: str
    contains: bool = False


@dataclass(frozen=True, kw_only=True)
class Walk:
    """A documented list operation, walked page by page to its end (``engine/walks.py``).

    Every page is checked against the spec like any response. Beyond that the walk checks what the docs promise
    of pages: no page holds more than ``limit`` items, no item is visited twice, the walk ends; for
    ``Paging.PAGE`` the page echo, ``total``, ``totalPages``, ``hasNext`` and ``hasPrev`` agree with what the
    walk found; each of ``filters`` returns only matching items; and the record ``create`` makes (saved as
    ``created_id``) shows up. Pointers are JSON pointers into a page's body; ``item_id`` into one item.
    Strings in ``query`` and in the filters may hold the run's ``{placeholders}`` and what ``create`` saved.
    """

    name: str
    doc: str
    operation: str
    paging: Paging
    limit: int
    items: str
    item_id: str = "/id"
    query: Mapping[str, str] = field(default_factory=dict)
    limit_param: str = "limit"
    page_param: str = "page"
    cursor_param: str = "cursor"
    page: str | None = None
    total: str | None = None
    total_pages: str | None = None
    has_next: str | None = None
    has_prev: str | None = None
    next_cursor: str | None = None
    has_more: str | None = None
    filters: tuple[ItemFilter, ...] = ()
    create: Step | None = None
    """A record to create first, which the walk must then find (its ``save`` must hold ``created_id``)."""
    max_pages: int = 20
    """A walk that has not ended by then stops with a note (a live account may hold many leads)."""
    needs: frozenset[Capability] = frozenset()
    variables: tuple[str, ...] = ()
    evidence: Evidence | None = None


OWNED = "owned"
"""A binding (``Vendor.path_bindings``, ``Vendor.body_bindings``): the value must name a record this run created
(an id the ledger holds for this run, or an email address this run made up), the vendor's ``unknown_id``, or a
record the user named in one of ``Vendor.user_records``; never the configured known lead."""


@dataclass(frozen=True, kw_only=True)
class CheckExclusion:
    """A schemathesis check that does not apply to one operation, and why (the reason is shown in reports)."""

    operation: str
    check: str
    reason: str


@dataclass(frozen=True, kw_only=True)
class RateLimitPolicy:
    """A documented request limit: ``requests`` per ``seconds`` per key."""

    requests: int
    seconds: float
    source: str = ""


@dataclass(frozen=True, kw_only=True)
class Vendor:
    """Everything the engine needs to know about one vendor, as data."""

    name: str
    title: str
    spec_file: str
    env_prefix: str
    security_scheme: str
    read_operation: str
    """The documented read used as the credentials guard: reading the known lead must give a 2xx."""
    id_parameter: str
    unknown_id: str
    """A well-formed id that names no lead, for the 404 probe."""
    invalid_key: str
    """A well-formed key in the vendor's documented format that was never issued."""
    fake: Callable[..., FakeService]
    probes: tuple[Probe, ...] = ()
    scenarios: tuple[Scenario, ...] = ()
    seed: Step | None = None
    """How to create a lead to read when no lead id is configured (needs writes)."""
    owned_seeds: Mapping[str, Step] = field(default_factory=dict)
    """Write operation label -> how its property unit creates the record it writes to, where that is not ``seed``
    (a workflow lead, where ``seed`` creates a campaign lead). The step's first ``save`` is the record's id."""
    created_id_pointers: Mapping[str, str] = field(default_factory=dict)
    """Operation label -> pointer of the created resource's id in a 2xx body (listed for clean-up)."""
    cleanup: Mapping[str, str] = field(default_factory=dict)
    """Operation label in ``created_id_pointers`` -> the documented delete that removes what it created
    (``{"POST /leads": "DELETE /leads/{id}"}``; its one path parameter takes the created id). A created record
    whose operation has none stays in the clean-up ledger and is reported as not cleaned up."""
    unnamed_creations: Mapping[str, str] = field(default_factory=dict)
    """Operation label -> pointer of the count of records a 2xx created without naming them (an upload answered
    with ``leads_created``): no delete can reach them, so every report lists them as not cleaned up."""
    outreach_fields: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    """Operation label -> request-body fields that make the vendor contact a real person."""
    marker_pointer: Mapping[str, str] = field(default_factory=dict)
    """Operation label -> body pointer of a free-form map where created records get the run marker."""
    walks: tuple[Walk, ...] = ()
    operation_needs: Mapping[str, frozenset[Capability]] = field(default_factory=dict)
    """Operation label -> what sending it at all needs beyond ``WRITES`` (``OUTREACH`` for an operation that can
    make the vendor call or message a person). The client refuses it on a target that does not allow it."""
    path_bindings: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    """Write operation label -> path parameter -> ``OWNED`` (a record this run created, or the vendor's
    ``unknown_id``) or the name of a variable the user configures (``campaign_id``). The client refuses a write
    whose parameter is anything else, so a live run changes only what it made or what the user named; property
    units pin the parameter to such a value (a record they create first, or the variable)."""
    body_bindings: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    """Write operation label -> top-level body field -> ``OWNED`` or the variable it must equal (a campaign the
    user named). The client refuses a JSON body whose field, when present, holds anything else; property units
    set the field in every generated body."""
    user_records: tuple[str, ...] = ()
    """Variables naming records of the user's that the suite may write to (an explicit opt-in, one per documented
    behaviour that needs a record in a state no run can bring about, e.g. a lead whose call has started). A
    binding to ``OWNED`` also accepts their values; the README says what is sent to each."""
    rate_limit: RateLimitPolicy | None = None
    check_exclusions: tuple[CheckExclusion, ...] = ()
    requires_base_url: bool = False
    """True when the spec's server is a placeholder (a vendor whose host is per customer workspace)."""
    docs: str = ""

    @property
    def spec_path(self) -> Path:
        return SPECS_DIR / self.spec_file

    def env(self, suffix: str) -> str:
        return f"{self.env_prefix}_{suffix}"

    def seed_for(self, operation: str) -> Step | None:
        """The step that creates the record a property unit of ``operation`` writes to."""
        return self.owned_seeds.get(operation, self.seed)

    def needs_of(self, operation: str, *, is_write: bool) -> frozenset[Capability]:
        """What sending ``operation`` needs of the target."""
        needs = set(self.operation_needs.get(operation, ()))
        if is_write:
            needs.add(Capability.WRITES)
        return frozenset(needs)

    def variables_of(self, operation: str) -> tuple[str, ...]:
        """The configured variables ``operation``'s bindings need (sorted, once each)."""
        bound = [*self.path_bindings.get(operation, {}).values(), *self.body_bindings.get(operation, {}).values()]
        return tuple(sorted({name for name in bound if name != OWNED}))

    @property
    def variable_names(self) -> tuple[str, ...]:
        """Every variable a scenario, walk or binding of this vendor may need (read from ``<PREFIX>_<NAME>``)."""
        names = {name for scenario in self.scenarios for name in scenario.variables}
        names.update(name for walk in self.walks for name in walk.variables)
        names.update(name for probe in self.probes for name in probe.variables)
        for operation in {*self.path_bindings, *self.body_bindings}:
            names.update(self.variables_of(operation))
        names.update(self.user_records)
        return tuple(sorted(names))

    def probe(self, name: str) -> Probe:
        for probe in self.probes:
            if probe.name == name:
                return probe
        raise KeyError(f"{self.name} has no probe {name!r}; it has: {', '.join(p.name for p in self.probes)}")


def standard_probes(
    *,
    operation: str,
    id_parameter: str,
    missing_key_schema: str | None = None,
    invalid_key_schema: str | None = None,
    doc: str = "",
) -> tuple[Probe, ...]:
    """The probes every lead read has: a known lead, an unknown id, a missing key and an invalid key.

    The credential probes ask for the known lead, so a vendor that does not enforce auth answers 200 with
    the lead (``auth_not_enforced``) instead of a 404 that would hide it.
    """
    return (
        Probe(
            name="known lead",
            operation=operation,
            path_params={id_parameter: "{known_lead_id}"},
            expect_status=200,
            doc=doc,
        ),
        Probe(
            name="unknown id",
            operation=operation,
            path_params={id_parameter: "{unknown_id}"},
            expect_status=404,
            doc=doc,
        ),
        Probe(
            name="missing key",
            operation=operation,
            path_params={id_parameter: "{known_lead_id}"},
            credentials=Credentials.NONE,
            expect_status=401,
            expect_schema=missing_key_schema,
            doc=doc,
        ),
        Probe(
            name="invalid key",
            operation=operation,
            path_params={id_parameter: "{known_lead_id}"},
            credentials=Credentials.INVALID,
            expect_status=401,
            expect_schema=invalid_key_schema,
            doc=doc,
        ),
    )


KIND_FOR_CREDENTIALS: Mapping[Credentials, Kind] = {
    Credentials.NONE: Kind.AUTH_NOT_ENFORCED,
    Credentials.INVALID: Kind.AUTH_NOT_ENFORCED,
    Credentials.RESTRICTED: Kind.AUTH_NOT_ENFORCED,
}
"""A 2xx to a request whose credentials should be refused means auth is not enforced."""
