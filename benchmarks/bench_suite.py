"""Whole contract runs: `make bench` (all benchmarks) or `.venv/bin/python -m benchmarks.bench_suite`.

Prints, for each vendor, how long its whole contract run takes against the in-process fake and against
the same fake served on loopback by `contracts serve` (requests per second through the full gateway),
the drift observer's throughput, and the time to render the three reports. Response validation has its
own benchmark (bench_validation.py). Timing lives here, never in tests.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from datetime import UTC, datetime
from functools import partial
from typing import TypeVar

from benchmarks._common import loopback_target, machine, served_fakes
from contracts.engine.context import load_spec, open_run
from contracts.engine.observe import observe
from contracts.engine.probes import run_guard
from contracts.engine.property import run_property
from contracts.engine.runner import run_vendor
from contracts.report.history import History, build_report
from contracts.report.render import render_html, render_json, render_markdown
from contracts.spec.document import Spec
from contracts.transport.client import analyse
from contracts.transport.targets import FAKE_LIMITS, fake_target
from contracts.values.model import Vendor
from contracts.values.results import VendorResult
from contracts.vendors import VENDORS

T = TypeVar("T")


def timed(function: Callable[[], T], repeat: int) -> tuple[list[float], T]:
    """Durations of ``repeat`` calls, and the last call's result."""
    durations = []
    for _ in range(repeat):
        started = time.perf_counter()
        result = function()
        durations.append(time.perf_counter() - started)
    return durations, result


def run_on_fake(vendor: Vendor, spec: Spec, max_examples: int) -> VendorResult:
    target = fake_target(vendor.fake(), base_url=spec.server_url).with_limits(max_examples=max_examples)
    return run_vendor(vendor, target, spec=spec)


def run_on_loopback(vendor: Vendor, spec: Spec, environment: dict[str, str], max_examples: int) -> VendorResult:
    return run_vendor(vendor, loopback_target(vendor, environment, max_examples), spec=spec)


def bench_vendor_runs(repeat: int, max_examples: int) -> list[VendorResult]:
    print(f"Whole contract run per vendor — {machine()}")
    print(f"max_examples={max_examples}, best/median of {repeat}")
    print(f"  {'vendor':<9} {'target':<9} {'requests':>8} {'best s':>7} {'median s':>8} {'req/s':>7}")
    results = []
    with served_fakes() as environment:
        for vendor in VENDORS:
            spec = load_spec(vendor)
            for kind in ("fake", "loopback"):
                if kind == "fake":
                    durations, result = timed(partial(run_on_fake, vendor, spec, max_examples), repeat)
                else:
                    run = partial(run_on_loopback, vendor, spec, environment, max_examples)
                    durations, result = timed(run, repeat)
                results.append(result)
                best, median = min(durations), statistics.median(durations)
                print(
                    f"  {vendor.name:<9} {kind:<9} {result.requests:>8} {best:>7.2f} {median:>8.2f} "
                    f"{result.requests / median:>7.0f}   status={result.status}"
                )
    return results


def bench_observer(iterations: int) -> None:
    nexor = next(vendor for vendor in VENDORS if vendor.name == "nexor")
    spec = load_spec(nexor)
    target = fake_target(nexor.fake(), base_url=spec.server_url).with_limits(max_examples=10)
    run = open_run(nexor, target, spec=spec)
    run_guard(run)
    run_property(run, operation="GET /leads/{id}")
    exchanges = run.client.exchanges * max(1, iterations // max(len(run.client.exchanges), 1))
    best = min(timed(lambda: observe("nexor", spec, analyse(spec, exchanges)), 3)[0])  # parsing included, as before
    print(f"\nDrift observer: {len(exchanges) / best:,.0f} exchanges/s ({len(exchanges)} exchanges)")
    run.close()


def bench_reports(results: list[VendorResult]) -> None:
    report, _ = build_report(results[::2], target="fake", run_id="bench", history=History(), now=datetime.now(UTC))
    for name, render in (("json", render_json), ("markdown", render_markdown), ("html", render_html)):
        best = min(timed(partial(render, report), 5)[0])
        print(f"Render {name:<8}: {best * 1000:6.1f} ms for {len(report.findings)} findings")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--max-examples", type=int, default=FAKE_LIMITS.max_examples)
    parser.add_argument("--iterations", type=int, default=2000)
    args = parser.parse_args()
    results = bench_vendor_runs(args.repeat, args.max_examples)
    bench_observer(args.iterations)
    bench_reports(results)


if __name__ == "__main__":
    main()
