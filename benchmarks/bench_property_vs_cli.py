"""Property tests: our suite against the schemathesis CLI on the same work.

For each vendor: the same schema document (the spec as our property runs
prepare it), the same fake, the same example budget per operation, the same
phases (examples, coverage, fuzzing), deterministic generation from the same
seed on both sides.
Ours runs one property unit per operation, in process against the fake and
against the same fake served on loopback; the CLI runs
``schemathesis run <doc> --url <loopback fake>``. A fourth column runs the same
units on schemathesis's engine (same schema, same in-process transport) instead
of our driver. Cases per second are the medians of several runs, taken in
rounds (one run of each side per round) so that a slow spell of a shared
machine hits every side. Ours is timed around the property units; the CLI by
the duration it reports for its run (its start-up and schema loading
excluded), and by its whole-process wall time.

Run: ``make bench`` (all benchmarks) or ``.venv/bin/python -m benchmarks.bench_property_vs_cli``.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import re
import statistics
import subprocess
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from schemathesis.engine import events, from_schema

from benchmarks._common import BIN, loopback_target, machine, median_range, served_fakes
from contracts.engine.context import RunContext, load_spec, open_run
from contracts.engine.probes import run_guard
from contracts.engine.property import DETERMINISTIC_SEED, build_schema, prepare_schema_document, run_property
from contracts.spec.document import Spec
from contracts.transport.targets import Target, fake_target
from contracts.values.model import Vendor
from contracts.vendors import VENDORS, get_vendor

PHASES = "examples,coverage,fuzzing"


@dataclass
class Sample:
    cases: int
    seconds: float

    @property
    def rate(self) -> float:
        return self.cases / self.seconds if self.seconds else 0.0


def timed_units(vendor: Vendor, target: Target, run_unit: Callable[[RunContext, str], int]) -> Sample:
    """Cases and seconds of ``run_unit`` (one operation's property unit) over every operation, after the guard."""
    spec = load_spec(vendor)
    ctx = open_run(vendor, target, spec=spec)
    try:
        run_guard(ctx)
        cases, seconds = 0, 0.0
        for operation in spec.operations:
            started = time.perf_counter()
            cases += run_unit(ctx, operation.label)
            seconds += time.perf_counter() - started
        return Sample(cases, seconds)
    finally:
        ctx.close()


def ours(vendor: Vendor, target: Target) -> Sample:
    """Every operation's property unit, as `make check` and the pytest suite run them."""

    def unit(ctx: RunContext, label: str) -> int:
        outcome = run_property(ctx, operation=label)
        failures = [finding for finding in outcome.findings if finding.is_contract_failure]
        if failures:  # drift warnings (an advisory check, an inferred fact) are no failure of the fake
            raise SystemExit(f"{vendor.name}: the fake failed its own contract: {failures[0]}")
        return outcome.cases

    return timed_units(vendor, target, unit)


def engine(vendor: Vendor, target: Target) -> Sample:
    """The same property units run by schemathesis's engine instead of our driver: same schema, same transport.

    This is how our property units ran before the driver (``contracts/engine/schemathesis_seam.py``); it
    separates what the driver saves from what the in-process transport saves.
    """

    def unit(ctx: RunContext, label: str) -> int:
        schema = build_schema(ctx, phases=target.limits.phases, only=label)
        return sum(
            len(event.recorder.cases)
            for event in from_schema(schema).execute()
            if isinstance(event, events.ScenarioFinished)
        )

    return timed_units(vendor, target, unit)


def cli(
    vendor: Vendor, document: Path, environment: dict[str, str], max_examples: int, workdir: Path
) -> tuple[Sample, float]:
    """One `schemathesis run`; the sample is timed by the CLI's own reported duration, plus its wall time."""
    spec = load_spec(vendor)
    headers = spec.credential_headers(vendor.security_scheme, environment[vendor.env("API_KEY")])
    command = [
        str(BIN / "schemathesis"),
        "run",
        str(document),
        "--url",
        environment[vendor.env("BASE_URL")],
        *[argument for name, value in headers.items() for argument in ("-H", f"{name}: {value}")],
        "--max-examples",
        str(max_examples),
        "--phases",
        PHASES,
        "--generation-deterministic",
        "--seed",
        str(DETERMINISTIC_SEED),  # the seed our deterministic runs draw from
        "--no-color",
    ]
    started = time.perf_counter()
    result = subprocess.run(command, capture_output=True, text=True, cwd=workdir, check=False)
    wall = time.perf_counter() - started
    output = result.stdout + result.stderr
    generated = re.search(r"(\d+) generated", output)
    duration = re.search(r" in ([\d.]+)s =+\s*$", output.strip())
    if generated is None or duration is None:
        raise SystemExit(f"cannot read the schemathesis CLI's summary (exit {result.returncode}):\n{output[-2000:]}")
    return Sample(int(generated.group(1)), float(duration.group(1))), wall


def prepared_document(vendor: Vendor, directory: Path) -> Path:
    """The schema document our property runs hand to schemathesis, written for the CLI."""
    spec = load_spec(vendor)
    ctx: RunContext = open_run(vendor, fake_target(vendor.fake(), base_url=spec.server_url), spec=spec)
    try:
        document = prepare_schema_document(ctx)
    finally:
        ctx.close()
    path = directory / f"{vendor.name}.json"
    path.write_text(json.dumps(document))
    return path


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="runs per side; medians are reported (default 5)")
    parser.add_argument("--max-examples", type=int, default=100, help="examples per operation (default 100)")
    parser.add_argument("--vendor", action="append", choices=[vendor.name for vendor in VENDORS])
    args = parser.parse_args(argv)
    vendors = [get_vendor(name) for name in args.vendor] if args.vendor else list(VENDORS)
    print(f"Property tests vs the schemathesis CLI — {machine()}")
    print(f"max-examples {args.max_examples} per operation, phases {PHASES}, deterministic; {args.runs} runs each")
    print("cases/s: median (min–max)\n")
    header = f"{'vendor':<9} {'cases':>5} {'ours in-process':>20} {'engine in-process':>20} {'ours loopback':>20}"
    print(f"{header} {'CLI loopback':>20} {'CLI wall s':>10} {'ratio':>6} {'best':>6} {'in-proc':>7}")
    # The headline compares like with like: ours and the CLI both reach the fake over loopback. Ours in process
    # against the CLI over loopback is shown too, labelled: it adds what serving the fake in process saves.
    ratios: list[float] = []
    best_ratios: list[float] = []
    in_process_ratios: list[float] = []
    totals = {"loopback": [0.0, 0.0], "cli": [0.0, 0.0]}  # cases, seconds (from each vendor's medians)
    documents: dict[str, Path] = {}
    names = [vendor.name for vendor in vendors]
    # The CLI gets fakes of its own, served the same way: it has no guard, and its examples phase sends the docs'
    # example ids to the documented deletes, which may name the seeded lead our runs' credentials guard reads.
    with (
        tempfile.TemporaryDirectory() as scratch,
        served_fakes(names) as environment,
        served_fakes(names) as cli_environment,
    ):
        for vendor in vendors:
            document = prepared_document(vendor, Path(scratch))
            spec = load_spec(vendor)

            def in_process(vendor: Vendor = vendor, spec: Spec = spec) -> Target:
                return fake_target(vendor.fake(), base_url=spec.server_url).with_limits(max_examples=args.max_examples)

            # Warm-up: imports and caches on our side; the CLI keeps Hypothesis's .hypothesis/ cache in its
            # working directory, and a first run fills it, so neither side pays that once-per-checkout cost.
            ours(vendor, in_process())
            engine(vendor, in_process())
            cli(vendor, document, cli_environment, args.max_examples, Path(scratch))
            samples: dict[str, list[Sample]] = {"ours": [], "engine": [], "loopback": [], "cli": []}
            walls: list[float] = []
            # Interleaved, one run of each per round, so a slower spell of a shared machine hits every side.
            for _ in range(args.runs):
                samples["ours"].append(ours(vendor, in_process()))
                samples["engine"].append(engine(vendor, in_process()))
                samples["loopback"].append(ours(vendor, loopback_target(vendor, environment, args.max_examples)))
                sample, wall = cli(vendor, document, cli_environment, args.max_examples, Path(scratch))
                samples["cli"].append(sample)
                walls.append(wall)
            rates = {side: [s.rate for s in runs] for side, runs in samples.items()}
            ratio = statistics.median(rates["loopback"]) / statistics.median(rates["cli"])
            ratios.append(ratio)
            # Each side's fastest run: what the code costs with the least interference from the rest of the machine.
            best = max(rates["loopback"]) / max(rates["cli"])
            best_ratios.append(best)
            in_process_ratio = statistics.median(rates["ours"]) / statistics.median(rates["cli"])
            in_process_ratios.append(in_process_ratio)
            for side in ("loopback", "cli"):
                cases = statistics.median(s.cases for s in samples[side])
                totals[side][0] += cases
                totals[side][1] += cases / statistics.median(rates[side])
            print(
                f"{vendor.name:<9} {statistics.median(s.cases for s in samples['ours']):>5.0f} "
                f"{median_range(rates['ours']):>20} {median_range(rates['engine']):>20} "
                f"{median_range(rates['loopback']):>20} {median_range(rates['cli']):>20} "
                f"{statistics.median(walls):>10.2f} {ratio:>5.2f}x {best:>5.2f}x {in_process_ratio:>6.2f}x"
            )
            cli_cases = statistics.median(s.cases for s in samples["cli"])
            engine_cases = statistics.median(s.cases for s in samples["engine"])
            print(f"{'':<9} (the engine ran {engine_cases:.0f} cases a run, the CLI {cli_cases:.0f})")
            documents[vendor.name] = document
        like_for_like = statistics.median(ratios)
        print(f"\nOurs / CLI, both over loopback, median over vendors: {like_for_like:.2f}x (like for like)")
        print(f"The same from each side's fastest run: {statistics.median(best_ratios):.2f}x")
        print(
            f"Ours in process / CLI over loopback: {statistics.median(in_process_ratios):.2f}x "
            "(not like for like: adds what the in-process fake saves)"
        )
        ours_total, cli_total = (cases / seconds for cases, seconds in totals.values())
        print(
            f"All vendors' cases over all their time, both over loopback: ours {ours_total:.1f}, "
            f"CLI {cli_total:.1f} cases/s, {ours_total / cli_total:.2f}x"
        )
        whole_suite(vendors, documents, environment, args.max_examples, Path(scratch), args.runs)


def _ours_in_a_process(vendor_name: str, max_examples: int) -> Sample:
    vendor = get_vendor(vendor_name)
    target = fake_target(vendor.fake(), base_url=load_spec(vendor).server_url).with_limits(max_examples=max_examples)
    return ours(vendor, target)


def whole_suite(
    vendors: list[Vendor],
    documents: dict[str, Path],
    environment: dict[str, str],
    max_examples: int,
    workdir: Path,
    runs: int,
) -> None:
    """Every vendor's property units, wall time from launch to last result, start-up included on both sides.

    Ours runs the vendors in one process per core, as `pytest -n auto` and CI do; the CLI runs one
    `schemathesis run` per spec, in turn (as a CI job would) and also as many at a time as there are cores.
    """
    workers = os.cpu_count() or 1
    print(f"\nWhole suite, all {len(vendors)} vendors, wall time including start-up ({workers} cores); cases/s:")
    names = [vendor.name for vendor in vendors]

    def ours_parallel() -> tuple[int, float]:
        started = time.perf_counter()
        with ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn")) as pool:
            samples = list(pool.map(_ours_in_a_process, names, [max_examples] * len(names)))
        return sum(sample.cases for sample in samples), time.perf_counter() - started

    def cli_one(vendor: Vendor) -> tuple[int, float]:
        sample, wall = cli(vendor, documents[vendor.name], environment, max_examples, workdir)
        return sample.cases, wall

    def cli_sequential() -> tuple[int, float]:
        started = time.perf_counter()
        cases = sum(cli_one(vendor)[0] for vendor in vendors)
        return cases, time.perf_counter() - started

    def cli_parallel() -> tuple[int, float]:
        started = time.perf_counter()
        with ThreadPoolExecutor(max_workers=workers) as pool:
            cases = sum(result[0] for result in pool.map(cli_one, vendors))
        return cases, time.perf_counter() - started

    rates: dict[str, list[float]] = {}
    for label, measure in (
        (f"ours, {workers} processes", ours_parallel),
        ("CLI, one spec after another", cli_sequential),
        (f"CLI, {workers} specs at a time", cli_parallel),
    ):
        results = [measure() for _ in range(runs)]
        rates[label] = [cases / wall for cases, wall in results]
        walls = [wall for _, wall in results]
        print(f"  {label:<32} {median_range(rates[label]):>22}   wall {statistics.median(walls):.2f} s")
    ours_rate = statistics.median(next(iter(rates.values())))
    for label, values in list(rates.items())[1:]:
        print(f"  ours / {label}: {ours_rate / statistics.median(values):.2f}x")


if __name__ == "__main__":
    main()
