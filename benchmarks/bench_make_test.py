"""Where the time of `make test` goes: `.venv/bin/python -m benchmarks.bench_make_test`.

Times the lint part (`ruff check .`, `ruff format --check .`, `mypy`, each a subprocess), then runs
`python -m pytest -q -p benchmarks.timing_plugin -n auto` (as `make test` runs it, bytecode writing on) and
prints how its wall time splits into start-up and imports, collection, case generation, HTTP, checks, report
writing, other test code and pytest overhead (see benchmarks/timing_plugin.py for what each category
covers). Also prints what importing the package's pytest plugin costs (`python -X importtime`) and the ten
slowest tests. Options: `--no-lint`, `--no-imports`; `--pytest-args "-n 0"` for a serial run or
`--pytest-args "-n 0 tests/engine/test_property.py"` (one quoted string, split like a shell would;
`--pytest-args=-x` for a single option). Figures are printed, never asserted in tests.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shlex
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from benchmarks import timing_plugin
from benchmarks._common import BIN, ROOT
from benchmarks._common import machine as machine_line
from benchmarks.timing_plugin import ENV_LAUNCH, ENV_OUT

PLUGIN = timing_plugin.__name__

LABELS = {
    "startup": "start-up and imports",
    "collection": "collection",
    "spec": "spec loading",
    "generation": "case generation",
    "http": "HTTP",
    "checks": "checks",
    "report": "report writing",
    "test": "other test code",
    "overhead": "pytest overhead",
}
"""Table rows, in order; the keys other than start-up and overhead are the plugin's categories."""
MEASURED = ("collection", "spec", "generation", "http", "checks", "report", "test")

LINT_COMMANDS = (
    ("ruff check .", ["ruff", "check", "."]),
    ("ruff format --check .", ["ruff", "format", "--check", "."]),
)


@dataclass
class Timed:
    label: str
    seconds: float
    returncode: int
    tail: str = ""


@dataclass
class PytestRun:
    args: list[str]
    wall: float
    returncode: int
    summary: str
    processes: list[dict[str, Any]] = field(default_factory=list)
    launch: float = 0.0
    end: float = 0.0
    output_tail: str = ""


def machine() -> list[str]:
    return [machine_line(), f"Python executable: {sys.executable}"]


def tool(name: str) -> str:
    path = BIN / name
    return str(path) if path.exists() else str(ROOT / ".venv" / "bin" / name)


def run_timed(label: str, command: Sequence[str]) -> Timed:
    started = time.perf_counter()
    done = subprocess.run(list(command), cwd=ROOT, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - started
    lines = (done.stdout + done.stderr).strip().splitlines()
    return Timed(label, seconds, done.returncode, lines[-1] if lines else "")


def run_lint() -> list[Timed]:
    runs = [run_timed(label, [tool(command[0]), *command[1:]]) for label, command in LINT_COMMANDS]
    runs.append(run_timed("mypy", [tool("mypy")]))
    return runs


# -- import cost ---------------------------------------------------------------------------------------

IMPORTTIME_LINE = re.compile(r"^import time:\s+(\d+)\s+\|\s+(\d+)\s+\|(\s*)(\S+)")


@dataclass
class ImportCost:
    label: str
    wall: float
    total: float
    """Sum of every module's own import time (seconds)."""
    by_package: list[tuple[str, float, int]]
    """(top-level package, seconds of its own modules, module count), biggest first."""
    cumulative: dict[str, float] = field(default_factory=dict)
    """Cumulative import time of the modules asked about."""


def import_cost(label: str, arguments: Sequence[str], watch: Sequence[str] = ()) -> ImportCost:
    """Run ``python -X importtime <arguments>`` and add up its report per top-level package."""
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-X", "importtime", *arguments], cwd=ROOT, capture_output=True, text=True, check=False
    )
    wall = time.perf_counter() - started
    own: dict[str, float] = defaultdict(float)
    count: dict[str, int] = defaultdict(int)
    cumulative: dict[str, float] = {}
    total = 0.0
    for line in done.stderr.splitlines():
        match = IMPORTTIME_LINE.match(line)
        if not match:
            continue
        self_us, cumulative_us, name = int(match[1]), int(match[2]), match[4]
        total += self_us / 1e6
        top = name.split(".")[0]
        own[top] += self_us / 1e6
        count[top] += 1
        if name in watch:
            cumulative[name] = cumulative_us / 1e6
    ranked = sorted(((name, seconds, count[name]) for name, seconds in own.items()), key=lambda row: -row[1])
    return ImportCost(label=label, wall=wall, total=total, by_package=ranked, cumulative=cumulative)


def import_costs() -> list[ImportCost]:
    return [
        import_cost("python -c pass", ["-c", "pass"]),
        import_cost(
            "python -c 'import contracts.pytest_plugin'",
            ["-c", "import contracts.pytest_plugin"],
            watch=["contracts.pytest_plugin"],
        ),
        # --help loads every plugin and conftest.py, as a run does before collecting: pytest's own start-up.
        import_cost("python -m pytest --help", ["-m", "pytest", "--help"]),
    ]


# -- the instrumented pytest run ----------------------------------------------------------------------


def run_pytest(extra: Sequence[str], workdir: Path) -> PytestRun:
    out = workdir / "timing.json"
    command = [sys.executable, "-m", "pytest", "-q", "-p", PLUGIN, *extra]
    # As `make test`: workers and subprocesses reuse compiled bytecode even where the environment turns it off.
    env = {**os.environ, ENV_OUT: str(out), "PYTHONDONTWRITEBYTECODE": ""}
    env[ENV_LAUNCH] = repr(time.time())
    launch = float(env[ENV_LAUNCH])
    started = time.perf_counter()
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - started
    lines = done.stdout.strip().splitlines()
    summary = next((line for line in reversed(lines) if re.search(r"\b(passed|failed|error|no tests ran)", line)), "")
    processes = [json.loads(path.read_text()) for path in sorted(workdir.glob("timing*.json"))]
    tail = "\n".join([*lines[-15:], *done.stderr.strip().splitlines()[-15:]])
    return PytestRun(
        args=command[1:],
        wall=wall,
        returncode=done.returncode,
        summary=summary,
        processes=processes,
        launch=launch,
        end=launch + wall,
        output_tail=tail,
    )


def breakdown(run: PytestRun) -> dict[str, Any]:
    """The table's figures: seconds per row, plus the facts the notes need."""
    workers = [process for process in run.processes if process["role"] == "worker"]
    main = next((process for process in run.processes if process["role"] != "worker"), None)
    if main is None:
        raise RuntimeError("the timing plugin wrote nothing: was `-p benchmarks.timing_plugin` loaded?")
    rows: dict[str, float] = {}
    if not workers:
        rows["startup"] = main["stamps"]["session_start"] - run.launch
        for name in MEASURED:
            rows[name] = main["totals"][name]
        rows["overhead"] = run.wall - sum(rows.values())
        lifetime = run.wall
    else:
        # Each worker: from its process start to its exit; categories summed over workers.
        rows = dict.fromkeys(LABELS, 0.0)
        lifetime = 0.0
        for worker in workers:
            stamps = worker["stamps"]
            life = stamps["unconfigure"] - stamps["process_start"]
            lifetime += life
            rows["startup"] += stamps["session_start"] - stamps["process_start"]
            for name in MEASURED:
                rows[name] += worker["totals"][name]
        rows["overhead"] = lifetime - sum(value for name, value in rows.items() if name != "overhead")
    tests: list[tuple[float, str, str]] = []
    for process in [main, *workers]:
        tests.extend((seconds, nodeid, process.get("worker_id") or "") for nodeid, seconds in process["tests"].items())
    tests.sort(reverse=True)
    by_file: dict[str, list[float]] = defaultdict(lambda: [0.0, 0.0, 0.0])
    for process in [main, *workers]:
        for nodeid, seconds in process["tests"].items():
            row = by_file[nodeid.split("::")[0]]
            row[0] += process["tests_own"].get(nodeid, 0.0)
            row[1] += seconds
            row[2] += 1
    return {
        "rows": rows,
        "workers": workers,
        "main": main,
        "lifetime": lifetime,
        "slowest": tests[:10],
        "by_file": sorted(by_file.items(), key=lambda item: -item[1][0]),
        "test_count": len(tests),
        "clamped": sum(process["clamped"] for process in run.processes),
        "orphaned": sum(process["orphaned"] for process in run.processes),
    }


# -- printing --------------------------------------------------------------------------------------------


def percent(part: float, whole: float) -> str:
    return f"{100 * part / whole:5.1f} %" if whole > 0 else "    - "


def print_lint(runs: list[Timed]) -> float:
    print("\nlint (each a subprocess, with the caches as they are)")
    for run in runs:
        status = "ok" if run.returncode == 0 else f"exit {run.returncode}: {run.tail[:80]}"
        print(f"  {run.label:<28}{run.seconds:9.2f} s   {status}")
    total = sum(run.seconds for run in runs)
    print(f"  {'lint total':<28}{total:9.2f} s")
    return total


def print_imports(costs: list[ImportCost]) -> None:
    print("\nimports (python -X importtime; own time of each module, added up per top-level package)")
    for cost in costs:
        print(f"  {cost.label}: process wall {cost.wall:.2f} s, all imports {cost.total:.2f} s")
        for name, seconds in cost.cumulative.items():
            print(f"    {name}, cumulative: {seconds:.2f} s")
        if cost.total > 0.05:
            print("    biggest 5 imports:")
            for name, seconds, modules in cost.by_package[:5]:
                print(f"      {name:<30}{seconds:7.2f} s   {modules} modules")


def print_pytest(run: PytestRun, figures: dict[str, Any]) -> None:
    rows: dict[str, float] = figures["rows"]
    workers: list[dict[str, Any]] = figures["workers"]
    print(f"\npytest: {shlex.join(run.args)}")
    print(f"  {run.summary or '(no summary line)'}  [exit code {run.returncode}]")
    print(f"  pytest wall: {run.wall:.2f} s")
    if workers:
        controller = figures["main"]["stamps"]
        first = min(worker["stamps"]["process_start"] for worker in workers) - run.launch
        ready = max(worker["stamps"]["session_start"] for worker in workers) - run.launch
        print(
            f"  {len(workers)} xdist workers: controller ready after {controller['session_start'] - run.launch:.2f} s,"
            f" first worker process after {first:.2f} s, all workers ready after {ready:.2f} s"
        )
        print(
            "  NOTE: with workers the categories are summed over the workers (CPU-side) and add up to MORE than the"
            f" wall time; worker lifetimes sum to {figures['lifetime']:.2f} s."
        )
        print(f"\n  {'category':<24}{'seconds':>10}{'% of pytest wall':>18}{'% of worker time':>18}")
        for key, label in LABELS.items():
            value = rows[key]
            print(f"  {label:<24}{value:10.2f}{percent(value, run.wall):>18}{percent(value, figures['lifetime']):>18}")
        print(f"  {'sum over workers':<24}{sum(rows.values()):10.2f}{percent(sum(rows.values()), run.wall):>18}")
    else:
        print(f"\n  {'category':<24}{'seconds':>10}{'% of pytest wall':>18}")
        for key, label in LABELS.items():
            print(f"  {label:<24}{rows[key]:10.2f}{percent(rows[key], run.wall):>18}")
        print(f"  {'total (pytest wall)':<24}{run.wall:10.2f}{percent(run.wall, run.wall):>18}")
    print(
        "  other test code includes subprocesses the tests start (CLI end-to-end runs, pytester subprocess runs):"
        " they are not instrumented. spec loading (Spec.load/Spec(): YAML, $refs, OpenAPI meta-schema validation)"
        " is not one of the listed stages: it is taken out of other test code and collection, where tests build"
        " their run contexts."
    )
    if figures["clamped"] > 0.05 or figures["orphaned"] > 0.05:
        print(
            f"  cross-thread accounting: {figures['clamped']:.2f} s of concurrent work under one frame and"
            f" {figures['orphaned']:.2f} s in threads outliving their frame may be counted twice."
        )
    stamps = figures["main"]["stamps"]
    print(
        f"  start-up detail ({'controller' if workers else 'main process'}): interpreter and `import pytest`"
        f" until `-p` plugins load"
        f" {stamps['imported'] - run.launch:.2f} s; entry-point plugins and conftest.py (their imports)"
        f" {stamps['configure_start'] - stamps['imported']:.2f} s; pytest_configure hooks"
        f" {stamps['session_start'] - stamps['configure_start']:.2f} s"
        f" (of which wrapping {stamps['instrumented'] - stamps['configure_start']:.2f} s)"
    )
    if not workers and "last_test_end" in stamps:
        tests_total = sum(figures["main"]["tests"].values())
        print(
            "  pytest overhead detail: session start -> collection"
            f" {stamps['collection_start'] - stamps['session_start']:.2f} s; around the tests (runtest protocol:"
            f" reports, capture, logging) {stamps['last_test_end'] - stamps['collection_finish'] - tests_total:.2f} s;"
            f" session end (summary, sessionfinish hooks) {stamps['unconfigure'] - stamps['last_test_end']:.2f} s;"
            f" unconfigure and interpreter exit {run.end - stamps['unconfigure']:.2f} s"
        )
    calls = {name: sum(process["calls"][name] for process in run.processes) for name in MEASURED}
    print("  timed calls: " + ", ".join(f"{LABELS[name]} {count}" for name, count in calls.items()))
    print(f"  wrapped: {', '.join(figures['main']['patched'])}")
    missing = [entry for entry in figures["main"]["patched"] if entry.startswith("NOT FOUND")]
    if missing:
        print(f"  WARNING: renamed or removed, so not timed (their time is in other test code): {', '.join(missing)}")
    print("\n  other test code by test file (top 8; own = not in another category, total = set-up + call + teardown):")
    for path, (own, total, count) in figures["by_file"][:8]:
        print(f"    {own:7.2f} s own {total:8.2f} s total  {int(count):4d} tests  {path}")
    print(f"\n  10 slowest tests (set-up + call + teardown, of {figures['test_count']}):")
    for seconds, nodeid, worker in figures["slowest"]:
        where = f" [{worker}]" if worker else ""
        print(f"    {seconds:7.2f} s  {nodeid}{where}")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-lint", action="store_true", help="skip ruff and mypy")
    parser.add_argument("--no-imports", action="store_true", help="skip the python -X importtime runs")
    parser.add_argument(
        "--pytest-args",
        default="-n auto",
        help='pytest arguments as one string (default "-n auto", as `make test`), '
        'e.g. "-n 0 tests/engine/test_property.py"',
    )
    options = parser.parse_args(argv)

    print("where the time of `make test` goes")
    for line in machine():
        print(f"  {line}")
    lint_total = 0.0
    if not options.no_lint:
        lint_total = print_lint(run_lint())
    if not options.no_imports:
        print_imports(import_costs())
    with tempfile.TemporaryDirectory(prefix="bench-make-test-") as workdir:
        run = run_pytest(shlex.split(options.pytest_args), Path(workdir))
    if not run.processes:
        print(f"\npytest: the timing plugin wrote nothing (exit code {run.returncode}); output:\n{run.output_tail}")
        return 1
    print_pytest(run, breakdown(run))
    total = lint_total + run.wall
    what = "pytest only (--no-lint)" if options.no_lint else f"lint {lint_total:.2f} s + pytest {run.wall:.2f} s"
    print(f"\nmake test wall: {total:.2f} s  ({what})")
    if run.returncode not in (0, 5):
        print(f"WARNING: pytest exited with {run.returncode}; failures change the figures.\n{run.output_tail}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
