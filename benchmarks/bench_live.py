"""Live efficiency: how many requests a default live run sends per vendor, and how many documented facts they check.

The run is the real live path (``live_target`` configured from the environment,
the vendors' documented rate limits, the live budget) against the fakes served
on loopback by ``contracts serve``, which print the environment a live run needs.
A *fact* is a documented status, response field, error-body field or behaviour
(see ``contracts/engine/facts.py``). For comparison, the same run with every
schemathesis phase (``CONTRACTS_PHASES=examples,coverage,fuzzing``) and the old
stateful budget shows what the lean default saves.

Run: ``make bench`` (all benchmarks) or ``.venv/bin/python -m benchmarks.bench_live [--units] [--operations]``.
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import replace

from benchmarks._common import machine, served_fakes
from contracts.config import live_target
from contracts.engine.context import load_spec
from contracts.engine.runner import run_vendor
from contracts.transport.targets import Target
from contracts.values.model import Capability, Vendor
from contracts.values.results import VendorResult
from contracts.vendors import VENDORS, get_vendor

ALL_PHASES = {"CONTRACTS_PHASES": "examples,coverage,fuzzing"}
"""The comparison run: every phase, and the stateful budget live runs had before facts were counted."""


@contextmanager
def environment(values: Mapping[str, str]) -> Iterator[None]:
    saved = dict(os.environ)
    os.environ.update(values)
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)


def runs(vendor: Vendor) -> list[tuple[str, dict[str, str]]]:
    """The default run; with outreach allowed, when some of the vendor's checks need it; with every phase."""
    needs = [probe.needs for probe in vendor.probes] + [scenario.needs for scenario in vendor.scenarios]
    needs += list(vendor.operation_needs.values())
    needs_outreach = any(Capability.OUTREACH in need for need in needs)
    outreach = [("outreach on", {vendor.env("ALLOW_OUTREACH"): "1"})] if needs_outreach else []
    return [("default", {}), *outreach, ("every phase", ALL_PHASES)]


def live_run(vendor: Vendor, values: Mapping[str, str], extra: Mapping[str, str]) -> VendorResult:
    spec = load_spec(vendor)
    with environment({**values, **extra}):
        target: Target = live_target(vendor, spec, env_file=None, name="loopback")
    if extra is ALL_PHASES:
        # No request budget and no pacing: the comparison is of what the phases check, not of where a budget cuts
        # them off, and pacing 1,400 requests to Aura's documented 100 a minute would only add waiting.
        limits = replace(target.limits, stateful_examples=3, stateful_steps=4, request_budget=None, rate_limit=None)
        target = replace(target, limits=limits)
    return run_vendor(vendor, target, spec=spec)


def unchecked_summary(unchecked: tuple[str, ...], shown: int = 3) -> str:
    if not unchecked:
        return "-"
    more = f" and {len(unchecked) - shown} more" if len(unchecked) > shown else ""
    return ", ".join(unchecked[:shown]) + more


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--vendor", action="append", choices=[vendor.name for vendor in VENDORS])
    parser.add_argument("--units", action="store_true", help="also show each unit's requests and first-checked facts")
    parser.add_argument(
        "--operations", action="store_true", help="also show each operation's requests and documented facts checked"
    )
    args = parser.parse_args(argv)
    vendors = [get_vendor(name) for name in args.vendor] if args.vendor else list(VENDORS)
    print(f"Live efficiency against the fakes on loopback — {machine()}\n")
    header = f"{'vendor':<9} {'run':<13} {'requests':>8} {'facts checked':>13} {'facts/request':>13}"
    print(f"{header} {'observed-only':>13}  unchecked")
    totals = {"default": [0, 0, 0], "every phase": [0, 0, 0]}
    details: list[str] = []
    with served_fakes([vendor.name for vendor in vendors]) as values:
        for vendor in vendors:
            for label, extra in runs(vendor):
                result = live_run(vendor, values, extra)
                coverage = result.coverage
                if coverage is None:
                    raise SystemExit(f"{vendor.name}: the run did not start: {result.status} {result.reason}")
                observed, observable = coverage.observed_only
                print(
                    f"{vendor.name:<9} {label:<13} {result.requests:>8} "
                    f"{f'{coverage.checked}/{coverage.total}':>13} {coverage.facts_per_request:>13.2f} "
                    f"{f'{observed}/{observable}':>13}  {unchecked_summary(coverage.unchecked)}"
                )
                if label in totals:
                    totals[label][0] += result.requests
                    totals[label][1] += coverage.checked
                    totals[label][2] += coverage.total
                if args.operations and label != "every phase":
                    details.append(f"\n{vendor.name} ({label}): requests and documented facts checked, per operation")
                    for operation, stats in result.operations.items():
                        checked, total = coverage.by_operation.get(operation, (0, 0))
                        details.append(
                            f"  {operation:<52} {stats['requests']:>4} requests {checked:>3}/{total:<3} facts"
                        )
                if args.units and label == "default":
                    details.append(f"\n{vendor.name}: requests and facts first checked, per unit")
                    details += [
                        f"  {source:<62} {requests:>4} requests {new:>4} new facts"
                        for source, (requests, new) in coverage.new_facts_by_source.items()
                    ]
    for label, (requests, checked, total) in totals.items():
        print(
            f"{'all':<9} {label:<13} {requests:>8} {f'{checked}/{total}':>13} "
            f"{(checked / requests if requests else 0):>13.2f}"
        )
    print("\n".join(details))
    print(
        "\nobserved-only: facts about statuses a run never provokes (429, 5xx), checked when a vendor sends them."
        "\noutreach on: V_ALLOW_OUTREACH=1, for the checks whose requests may contact a real person (off by default)."
        "\nA default live run's reports show the same figures per vendor (drift.json: vendors.<name>.facts)."
    )


if __name__ == "__main__":
    main()
