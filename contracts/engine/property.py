"""Property tests: schemathesis generates cases from the spec and runs every check on the responses.

The schema handed to schemathesis is the vendor's spec with two run-time
additions (never a schema change): the run's known lead id and a well-formed
unknown id become examples of the read operation's id (so the examples phase
reaches the documented 2xx and 404), and on targets where outreach is not
allowed the fields that trigger it are stripped from generated bodies. The
docs' examples that cannot validate are not OpenAPI examples at all (the specs
keep them under ``x-invalid-examples``), so schemathesis never sends them.
Credentials go in through the spec's security scheme (``auth.openapi``), which
schemathesis masks and uses for ``ignored_auth``. Every request goes through
our client (``schemathesis_seam``, the one module that knows schemathesis);
check failures become findings in ``failures``.
"""

from __future__ import annotations

from typing import Any

from contracts.engine import schemathesis_seam as seam
from contracts.engine.context import RUN_MARKER_KEY, RunContext
from contracts.engine.failures import findings_from_failure
from contracts.engine.outcome import record_fault
from contracts.engine.scenarios import run_step
from contracts.transport.targets import PROPERTY_PHASES
from contracts.values.errors import ContractSuiteError, UnsafeRequest, VendorFault
from contracts.values.findings import Finding, merge
from contracts.values.model import OWNED, Capability, Vendor
from contracts.values.results import Outcome

SAFE_UNEXPECTED_METHODS = ["options", "trace"]

DETERMINISTIC_SEED = 20261123
"""The seed of deterministic runs (the default, live and fake): the same spec sends the same cases."""


def prepare_schema_document(ctx: RunContext) -> dict[str, Any]:
    """The spec as schemathesis should see it for this run (see the module docstring)."""
    raw = ctx.spec.copy_raw()
    # A relative server URL: cases go to the ClientTransport, and schemathesis's own capability probes,
    # which would use a raw `requests` session, are skipped (they need an absolute URL).
    raw["servers"] = [{"url": ctx.spec.server_path or "/"}]
    read = ctx.spec.operation(ctx.vendor.read_operation)
    item = raw["paths"][read.path][read.method.lower()]
    for parameter in item.get("parameters", []):
        if parameter.get("name") == ctx.vendor.id_parameter and parameter.get("in") == "path":
            examples = parameter.setdefault("examples", {})
            # The examples phase then reaches both the documented 2xx and the documented 404.
            if ctx.known_lead_id is not None:
                examples["known-lead"] = {"value": ctx.known_lead_id}
            examples["unknown-id"] = {"value": ctx.vendor.unknown_id}
    return raw


def needs_owned_record(vendor: Vendor, label: str) -> bool:
    """Whether property-testing ``label`` needs a record of the run's own to write to (an ``OWNED`` binding)."""
    bindings = [*vendor.path_bindings.get(label, {}).values(), *vendor.body_bindings.get(label, {}).values()]
    return OWNED in bindings


def _pinned_parameters(ctx: RunContext, label: str, owned_id: str | None) -> dict[str, str]:
    """The path parameters of ``label`` every case must carry: its variable bindings, and its ``OWNED`` ones
    pinned to ``owned_id`` (a record the unit created); schemathesis generates the rest."""
    pinned = {}
    for name, binding in ctx.vendor.path_bindings.get(label, {}).items():
        value = owned_id if binding == OWNED else ctx.target.variables.get(binding)
        if value is not None:
            pinned[f"path.{name}"] = value
    return pinned


def _config(
    ctx: RunContext,
    *,
    phases: tuple[str, ...],
    stateful: bool,
    only: str | None,
    owned_id: str | None = None,
) -> dict[str, Any]:
    """The run's schemathesis configuration, as the data of its ``schemathesis.toml``."""
    scheme = ctx.spec.security_scheme(ctx.vendor.security_scheme)
    key = ctx.target.api_key.reveal()
    credential = {"bearer": key} if scheme.get("type") == "http" else {"api_key": key}
    limits = ctx.target.limits
    coverage: dict[str, Any] = {"enabled": "coverage" in phases}
    if not ctx.target.allows(Capability.UNDOCUMENTED_METHODS):
        coverage["unexpected-methods"] = SAFE_UNEXPECTED_METHODS
    exclusions: list[dict[str, Any]] = [
        {
            "include-operation-id": ctx.spec.operation(item.operation).operation_id,
            "checks": {item.check: {"enabled": False}},
        }
        for item in ctx.vendor.check_exclusions
    ]
    for operation in ctx.spec.operations:
        if stateful or operation.label == only:
            # Stateful runs take OWNED values from the links (a created record); the client refuses any other.
            pinned = _pinned_parameters(ctx, operation.label, None if stateful else owned_id)
            if pinned:
                exclusions.append({"include-operation-id": operation.operation_id, "parameters": pinned})
    if only is not None:
        # Narrowing through `[[operations]] enabled = false`, not `schema.include()`: schemathesis ORs an
        # include filter with the filter its `[[operations]]` entries install, which would select everything.
        others = [operation.operation_id for operation in ctx.spec.operations if operation.label != only]
        if others:
            exclusions.append({"include-operation-id": others, "enabled": False})
    return {
        # A deterministic run draws from a fixed seed (mixed with each operation's label by schemathesis),
        # not from Hypothesis's `derandomize`, which seeds from the test function's source: a refactor
        # of our driver would otherwise change every case a run sends.
        **({"seed": DETERMINISTIC_SEED} if limits.deterministic else {}),
        "auth": {"openapi": {ctx.vendor.security_scheme: credential}},
        "generation": {
            "max-examples": limits.max_examples,
            "deterministic": limits.deterministic,
            "database": "none",
        },
        "phases": {
            "examples": {"enabled": "examples" in phases},
            "coverage": coverage,
            "fuzzing": {"enabled": "fuzzing" in phases},
            "stateful": {
                "enabled": stateful,
                "max-steps": limits.stateful_steps,
                "generation": {"max-examples": limits.stateful_examples},
                # Only the links the spec declares (each with its evidence): links schemathesis infers from
                # responses made a starting point of an upload no generated file can pass, and nothing else ran.
                "inference": {"algorithms": []},
            },
        },
        "operations": exclusions,
    }


def build_schema(
    ctx: RunContext,
    *,
    phases: tuple[str, ...] = PROPERTY_PHASES,
    stateful: bool = False,
    only: str | None = None,
    source: str = "schemathesis",
    owned_id: str | None = None,
) -> Any:
    """The schemathesis schema for this run; ``only`` narrows it to one operation label, whose ``OWNED``
    bindings take ``owned_id``."""
    forbidden = {} if ctx.target.allows(Capability.OUTREACH) else ctx.vendor.outreach_fields
    markers = ctx.vendor.marker_pointer
    body_bindings = ctx.vendor.body_bindings

    def make_safe(label: str, body: dict[str, Any], positive: bool) -> None:
        """Strip outreach fields the target does not allow; bind what positive bodies name (a negative body keeps
        its values, and the client refuses it when they name anything but what they are bound to); mark records
        this run creates."""
        for name in forbidden.get(label, ()):
            body.pop(name, None)
        for name, binding in body_bindings.get(label, {}).items() if positive else ():
            if binding != OWNED:
                if binding in ctx.target.variables:
                    body[name] = ctx.target.variables[binding]
            elif name in body or owned_id is not None:
                # An OWNED address: one this run made up; an OWNED id: the unit's own record (none: left out).
                value = ctx.unique_email() if "email" in name.lower() else owned_id
                if value is None:
                    body.pop(name, None)
                else:
                    body[name] = value
        if label in markers:
            key = markers[label].lstrip("/")
            existing = body.get(key, {})
            if isinstance(existing, dict):
                # Adding a key to a free-form map keeps a negative case negative.
                body[key] = {**existing, RUN_MARKER_KEY: ctx.run_marker}
            if positive and isinstance(body.get("email"), str):
                # Unique, so a vendor that deduplicates by email cannot turn a create into an update.
                body["email"] = ctx.unique_email()

    return seam.build_schema(
        prepare_schema_document(ctx),
        _config(ctx, phases=phases, stateful=stateful, only=only, owned_id=owned_id),
        client=ctx.client,
        server_path=ctx.spec.server_path,
        source=source,
        edit_body=make_safe,
    )


def run_property(ctx: RunContext, *, operation: str | None = None, stateful: bool = False) -> Outcome:
    """Property-test one operation (examples, coverage, fuzzing; every operation when ``operation`` is None)
    or, with ``stateful``, the spec's links."""
    name = "stateful" if stateful else f"property:{operation}"
    outcome = Outcome(name=f"schemathesis:{name}")
    if stateful:
        _run_stateful(ctx, outcome)
        return outcome
    phases = ctx.target.limits.phases
    owned_id = None
    if operation is not None and needs_owned_record(ctx.vendor, operation):
        owned_id = _create_own_record(ctx, outcome, operation)
        if owned_id is None:
            return outcome
    schema = build_schema(ctx, phases=phases, only=operation, source=outcome.name, owned_id=owned_id)
    labels = [operation] if operation is not None else [op.label for op in ctx.spec.operations]

    def collect(checked: seam.CheckedCase) -> None:
        _collect(ctx, outcome, checked)

    for label in labels:
        documented = ctx.spec.operation(label)
        drive = seam.drive_operation(
            schema, documented.method, documented.path, phases=phases, on_checked=collect, vendor=ctx.vendor.name
        )
        outcome.cases += drive.cases
        outcome.notes.extend(f"not sent: {message}" for message in drive.refused)
        if drive.fault is not None:
            record_fault(outcome, drive.fault, vendor=ctx.vendor.name, operation=label)
            break
    # Every case is checked, so one deviation is usually seen many times: one finding each, with its count.
    outcome.findings = merge(outcome.findings)
    return outcome


def _create_own_record(ctx: RunContext, outcome: Outcome, operation: str) -> str | None:
    """Create the record a write unit works on (``Vendor.seed``), so no case touches anything the run did not
    make; None (the outcome says why) when that cannot be done."""
    seed = ctx.vendor.seed_for(operation)
    if seed is None or not seed.save:
        outcome.skipped = f"{ctx.vendor.name} has no seed step to create a record of the run's own to write to"
        return None
    saved: dict[str, Any] = {}
    try:
        _, findings = run_step(ctx, seed, source=outcome.name, saved=saved)
    except (VendorFault, UnsafeRequest) as fault:
        record_fault(outcome, fault, vendor=ctx.vendor.name, operation=seed.operation)
        return None
    outcome.findings.extend(findings)
    owned = saved.get(next(iter(seed.save)))
    if not isinstance(owned, str):
        outcome.notes.append(f"stopped: {seed.operation} created no record to write to")
        return None
    return owned


def _run_stateful(ctx: RunContext, outcome: Outcome) -> None:
    """Follow the spec's links; a vendor fault or a refused request is recorded, a bug of ours raised."""
    schema = build_schema(ctx, phases=(), stateful=True, source=outcome.name)
    spec_problems: list[str] = []
    for event in seam.run_stateful(schema):
        if event.checked is not None:
            outcome.cases += 1
            _collect(ctx, outcome, event.checked)
            continue
        error = event.error
        if error is None:
            continue
        errors: list[BaseException] = [error]
        if isinstance(error, BaseExceptionGroup) and all(
            isinstance(each, VendorFault | UnsafeRequest) for each in error.exceptions
        ):
            errors = list(error.exceptions)  # distinct failures Hypothesis reports together, each handled below
        for each in errors:
            if isinstance(each, VendorFault):
                record_fault(outcome, each, vendor=ctx.vendor.name, operation=_faulted_operation(ctx, event.label))
            elif isinstance(each, UnsafeRequest):
                outcome.notes.append(f"not sent: {each.message}")
            elif seam.is_spec_problem(each):
                spec_problems.append(seam.describe_error(event.label, each))
            else:
                raise each  # a bug of ours, with its own traceback: never a finding, never a spec error
    outcome.notes.extend(f"not sent: {message}" for message in seam.refused_requests(schema))
    if spec_problems:
        raise ContractSuiteError(
            "schemathesis cannot test the spec's links as written:\n" + "\n".join(spec_problems),
            vendor=ctx.vendor.name,
        )


def _collect(ctx: RunContext, outcome: Outcome, checked: seam.CheckedCase) -> None:
    """The findings of one case: each deviation once, however many of the response's failures explain it (two
    header-schema failures are each explained by the findings about both headers), so a count is of cases."""
    found: dict[str, Finding] = {}
    for failure in checked.failures:
        for finding in findings_from_failure(ctx, failure, checked.case, checked.response, source=outcome.name):
            found.setdefault(finding.fingerprint, finding)
    outcome.findings.extend(found.values())


def _faulted_operation(ctx: RunContext, label: str | None) -> str:
    """The operation a fault happened on: the engine's label, or (stateful phase) the last failed exchange's."""
    if label and any(operation.label == label for operation in ctx.spec.operations):
        return label
    failed = [exchange for exchange in ctx.client.exchanges if exchange.error and exchange.operation]
    return failed[-1].operation or "" if failed else (label or "")
