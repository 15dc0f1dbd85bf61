"""A vendor's whole contract run: the guard, then every unit of the plan, then the drift observations.

The plan (``plan_units``) is shared by the CLI and the pytest suite, so both
run exactly the same checks; pytest runs one unit per test item.
"""

from __future__ import annotations

import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

import jsonpointer

from contracts.engine.cleanup import clean_up, resolve_all
from contracts.engine.context import RUN_MARKER_KEY, RunContext, open_run, placeholders
from contracts.engine.facts import documented_facts, fact_evidence, measure
from contracts.engine.grading import Grader
from contracts.engine.observe import observe
from contracts.engine.outcome import check_retried
from contracts.engine.probes import run_guard, run_probe
from contracts.engine.property import needs_owned_record, run_property
from contracts.engine.scenarios import run_scenario
from contracts.engine.walks import run_walk
from contracts.spec.document import Spec
from contracts.transport.client import AnalysedExchange, analyse
from contracts.transport.targets import Target
from contracts.values.errors import (
    ContractSuiteError,
    MissingCredentials,
    VendorFault,
)
from contracts.values.findings import Finding, merge
from contracts.values.model import Capability, Probe, Scenario, Vendor, Walk
from contracts.values.redaction import Redactor
from contracts.values.results import Cleanup, Outcome, RateLimited, Status, VendorResult


@dataclass(frozen=True)
class Unit:
    """One independently runnable piece of a vendor's contract run."""

    kind: str
    """``probe``, ``scenario``, ``property`` or ``stateful``."""
    name: str
    run: Callable[[RunContext], Outcome] = field(compare=False, repr=False)
    needs: frozenset[Capability] = frozenset()
    variables: tuple[str, ...] = ()
    """Variables the unit needs configured (``V_<NAME>``); without them it is skipped, naming them."""

    @property
    def id(self) -> str:
        return f"{self.kind}:{self.name}"


def plan_units(vendor: Vendor, spec: Spec) -> list[Unit]:
    units: list[Unit] = []
    for probe in vendor.probes:
        units.append(Unit("probe", probe.name, partial(_probe, probe=probe)))
    for scenario in vendor.scenarios:
        units.append(Unit("scenario", scenario.name, partial(_scenario, scenario=scenario)))
    for walk in vendor.walks:
        units.append(Unit("walk", walk.name, partial(_walk, walk=walk)))
    for operation in spec.operations:
        label = operation.label
        needs = vendor.needs_of(label, is_write=operation.is_write)
        variables = vendor.variables_of(label)
        seed = vendor.seed_for(label)
        if needs_owned_record(vendor, label) and seed is not None:
            # The unit first creates the record it writes to (``Vendor.seed_for``): it needs what that needs.
            needs |= vendor.needs_of(seed.operation, is_write=True)
            variables = tuple(
                sorted(
                    {
                        *variables,
                        *vendor.variables_of(seed.operation),
                        *placeholders([seed.path_params, seed.body, seed.query]),
                    }
                )
            )
        units.append(Unit("property", label, partial(run_property, operation=label), needs, variables))
    if has_links(spec):
        needs = frozenset({Capability.WRITES}) if any(op.is_write for op in spec.operations) else frozenset()
        units.append(Unit("stateful", "links", partial(run_property, stateful=True), needs))
    return units


def _probe(ctx: RunContext, *, probe: Probe) -> Outcome:
    return run_probe(ctx, probe)


def _scenario(ctx: RunContext, *, scenario: Scenario) -> Outcome:
    return run_scenario(ctx, scenario)


def _walk(ctx: RunContext, *, walk: Walk) -> Outcome:
    return run_walk(ctx, walk)


def has_links(spec: Spec) -> bool:
    return any(
        "links" in spec.resolve_pointer(response.pointer)
        for operation in spec.operations
        for response in operation.responses.values()
    )


def run_unit(ctx: RunContext, unit: Unit) -> Outcome:
    """Run one unit. The responses its requests met that the client retried (429s, 5xx) are checked too, and
    what they break is the unit's finding; its findings come out graded by their evidence (so a pytest item
    fails as the run would)."""
    reason = ctx.missing(unit.needs) or ctx.missing_variables(unit.variables)
    if reason is not None:
        return Outcome(name=unit.id, skipped=reason)
    logged = len(ctx.client.exchanges)
    outcome = unit.run(ctx)
    outcome.findings.extend(merge(check_retried(ctx.vendor.name, ctx.spec, ctx.client.exchanges[logged:])))
    outcome.findings = Grader(ctx.spec, ctx.vendor).grade_all(outcome.findings)
    return outcome


def verdict(findings: Iterable[Finding], outcomes: Iterable[Outcome]) -> tuple[Status, str | None]:
    """Contract failures fail the vendor; otherwise an inconclusive unit makes the vendor inconclusive."""
    if any(finding.is_contract_failure for finding in findings):
        return Status.FAIL, None
    inconclusive = [outcome.inconclusive for outcome in outcomes if outcome.inconclusive]
    if inconclusive:
        return Status.INCONCLUSIVE, inconclusive[0]
    return Status.PASS, None


def summarize_exchanges(
    vendor: Vendor, exchanges: Iterable[AnalysedExchange]
) -> tuple[dict[str, dict[str, Any]], list[dict[str, str]]]:
    """Requests per operation (with status counts) and the records this run created, for clean-up."""
    requests: Counter[str] = Counter()
    statuses: dict[str, Counter[str]] = defaultdict(Counter)
    created: list[dict[str, str]] = []
    for item in exchanges:
        exchange = item.exchange
        label = exchange.operation or f"{exchange.method} (undocumented)"
        requests[label] += exchange.attempts
        statuses[label][str(exchange.status_code) if exchange.status_code else "no response"] += 1
        pointer = vendor.created_id_pointers.get(exchange.operation or "")
        if pointer and exchange.status_code and 200 <= exchange.status_code < 300 and not exchange.retried:
            body = item.request_body
            marker = vendor.marker_pointer.get(exchange.operation or "", "")
            marked = isinstance(body, dict) and RUN_MARKER_KEY in (
                jsonpointer.resolve_pointer(body, marker, None) or {}
            )
            created.extend(
                {"operation": exchange.operation or "", "id": record_id, "marked": "yes" if marked else "no"}
                for record_id in resolve_all(item.body, pointer)
                if isinstance(record_id, str) and record_id
            )
    operations = {
        label: {"requests": requests[label], "statuses": dict(sorted(statuses[label].items()))}
        for label in sorted(requests)
    }
    return operations, created


def unnamed_records(ctx: RunContext) -> list[dict[str, str]]:
    """What the run created without the vendor naming it (``Vendor.unnamed_creations``), for the report."""
    found = []
    for exchange in ctx.client.exchanges:
        pointer = ctx.vendor.unnamed_creations.get(exchange.operation or "")
        if pointer is None or exchange.retried or not exchange.status_code or not 200 <= exchange.status_code < 300:
            continue
        try:
            count = jsonpointer.resolve_pointer(exchange.json(), pointer, None)
        except ValueError:
            count = None
        if isinstance(count, int) and not isinstance(count, bool) and count > 0:
            found.append(
                {
                    "vendor": ctx.vendor.name,
                    "operation": exchange.operation or "",
                    "id": f"{count} unnamed ({exchange.path})",
                    "reason": "the response names no ids, so no documented delete can reach them: remove them "
                    "in the vendor's dashboard",
                }
            )
    return found


def finish(
    ctx: RunContext,
    *,
    status: Status | None,
    reason: str | None,
    outcomes: list[Outcome],
    started: float,
    cleanup: Cleanup | None = None,
) -> VendorResult:
    """Add drift observations from every exchange, merge duplicate findings, and summarise the run.

    ``status`` is given when the run stopped early (error, inconclusive guard); ``None`` derives it from
    the findings and outcomes.
    """
    exchanges = analyse(ctx.spec, ctx.client.exchanges)  # matched and parsed once, for all three below
    # Graded again here: findings made outside a unit get their evidence too (grading is idempotent).
    grader = Grader(ctx.spec, ctx.vendor)
    findings = grader.grade_all(finding for outcome in outcomes for finding in outcome.findings)
    findings.extend(grader.cite(finding) for finding in observe(ctx.vendor.name, ctx.spec, exchanges))
    merged = merge(finding.redacted(ctx.redactor) for finding in findings)
    if status is None:
        status, reason = verdict(merged, outcomes)
    operations, created = summarize_exchanges(ctx.vendor, exchanges)
    facts = documented_facts(ctx.vendor, ctx.spec)
    evidence = fact_evidence(ctx.vendor, ctx.spec, facts)
    coverage = measure(facts, exchanges, outcomes, ctx.client.requests_sent, evidence)
    return VendorResult(
        vendor=ctx.vendor.name,
        title=ctx.vendor.title,
        target=ctx.target.name,
        status=status,
        reason=ctx.redactor.scrub(reason) if reason else reason,
        findings=merged,
        outcomes=outcomes,
        requests=ctx.client.requests_sent,
        operations=operations,
        created=created,
        duration=time.monotonic() - started,
        coverage=coverage,
        excluded_checks=ctx.vendor.check_exclusions,
        rate_limited=RateLimited(
            responses=ctx.client.rate_limited_responses, waited_seconds=ctx.client.rate_limit_wait
        ),
        cleanup=cleanup or Cleanup(),
    )


@dataclass(kw_only=True)
class VendorRun:
    """One vendor's run against one target: opened with its credentials guard, then unit by unit, then finished.

    The one run path: ``contracts drift`` runs every unit in turn (``run_all``), the pytest plugin one unit
    per test item (``run``); both finish it into the same ``VendorResult``. ``status`` is set when the run
    cannot go on (no key: skipped; a rejected key or broken setup: error; the guard faulted: inconclusive),
    with ``problem`` saying why.
    """

    vendor: Vendor
    target_name: str
    ctx: RunContext | None = None
    status: Status | None = None
    problem: str | None = None
    outcomes: list[Outcome] = field(default_factory=list)
    started: float = field(default_factory=time.monotonic)
    cleaned_at_start: int = 0
    """Records of an earlier, killed run that this run deleted before its guard."""
    cleanup: Cleanup | None = None
    """What ``clean_up`` did at the end of the run (None until then)."""

    @classmethod
    def start(
        cls,
        vendor: Vendor,
        target: Target,
        *,
        redactor: Redactor | None = None,
        run_id: str | None = None,
        spec: Spec | None = None,
        cleanup_file: Path | None = None,
    ) -> VendorRun:
        """Open the run, delete what an earlier, killed run left in the clean-up ledger ``cleanup_file`` (in
        memory when None), and check its credentials with the guard (a documented read of a known lead)."""
        run = cls(vendor=vendor, target_name=target.name)
        try:
            run.ctx = open_run(vendor, target, redactor=redactor, run_id=run_id, spec=spec, cleanup_file=cleanup_file)
        except ContractSuiteError as error:  # a clean-up ledger that cannot be read
            return cls.not_started(vendor, target.name, error)
        try:
            run.cleaned_at_start = clean_up(run.ctx, run.ctx.ledger, earlier_only=True).deleted
            run_guard(run.ctx)
        except ContractSuiteError as error:  # a rejected key, no lead to read, a broken spec
            run.stop(Status.ERROR, str(error))
        except VendorFault as fault:
            run.stop(Status.INCONCLUSIVE, f"credentials guard: {fault}")
        # The guard is no unit: what the responses it retried break is reported as its own outcome.
        retried = merge(check_retried(vendor.name, run.ctx.spec, run.ctx.client.exchanges))
        if retried:
            run.outcomes.append(Outcome(name="guard", findings=retried))
        return run

    @classmethod
    def not_started(cls, vendor: Vendor, target_name: str, error: ContractSuiteError) -> VendorRun:
        """A run that could not even get a target: no key (skipped) or bad configuration (error)."""
        status = Status.SKIPPED if isinstance(error, MissingCredentials) else Status.ERROR
        return cls(vendor=vendor, target_name=target_name, status=status, problem=str(error))

    def stop(self, status: Status, problem: str) -> None:
        self.status, self.problem = status, problem

    def units(self) -> list[Unit]:
        return plan_units(self.vendor, self.ctx.spec) if self.ctx is not None else []

    def run(self, unit: Unit) -> Outcome:
        """Run one unit; only for a run whose ``status`` is still None."""
        if self.ctx is None or self.status is not None:
            raise RuntimeError(f"{self.vendor.name}: cannot run {unit.id} on a stopped run ({self.status})")
        outcome = run_unit(self.ctx, unit)
        self.outcomes.append(outcome)
        return outcome

    def run_all(self, on_outcome: Callable[[Outcome], None] | None = None) -> VendorResult:
        """Every unit of the plan in turn, until one is inconclusive; then the result."""
        try:
            for unit in self.units() if self.status is None else []:
                outcome = self.run(unit)
                if on_outcome is not None:
                    on_outcome(outcome)
                if outcome.inconclusive:
                    break  # rate-limited or out of budget: no more requests to this vendor this run
        except ContractSuiteError as error:  # our setup, found mid-run (a spec schemathesis cannot test)
            self.stop(Status.ERROR, str(error))
        self.clean_up()
        return self.result()

    def clean_up(self) -> Cleanup:
        """Delete every record in the clean-up ledger of this vendor (``engine/cleanup.py``), once, at the run's
        end; the result reports it, with the records it could not delete and why."""
        if self.cleanup is None:
            done = clean_up(self.ctx, self.ctx.ledger) if self.ctx is not None else Cleanup()
            unnamed = unnamed_records(self.ctx) if self.ctx is not None else []
            self.cleanup = Cleanup(
                deleted=self.cleaned_at_start + done.deleted, not_cleaned=(*done.not_cleaned, *unnamed)
            )
        return self.cleanup

    def result(self) -> VendorResult:
        if self.ctx is None:
            return VendorResult(
                vendor=self.vendor.name,
                title=self.vendor.title,
                target=self.target_name,
                status=self.status or Status.ERROR,
                reason=self.problem,
                excluded_checks=self.vendor.check_exclusions,
            )
        cleanup = self.cleanup or Cleanup(deleted=self.cleaned_at_start)
        return finish(
            self.ctx,
            status=self.status,
            reason=self.problem,
            outcomes=self.outcomes,
            started=self.started,
            cleanup=cleanup,
        )

    def close(self) -> None:
        if self.ctx is not None:
            self.ctx.close()


def run_vendor(
    vendor: Vendor,
    target: Target,
    *,
    redactor: Redactor | None = None,
    run_id: str | None = None,
    spec: Spec | None = None,
    on_outcome: Callable[[Outcome], None] | None = None,
    cleanup_file: Path | None = None,
) -> VendorResult:
    """Run everything for one vendor against one target and return its result (never raises for vendor faults)."""
    run = VendorRun.start(vendor, target, redactor=redactor, run_id=run_id, spec=spec, cleanup_file=cleanup_file)
    try:
        return run.run_all(on_outcome)
    finally:
        run.close()
