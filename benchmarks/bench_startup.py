"""Start-up: how long `contracts --help` and the heavier imports take, as a fresh process each time.

`contracts --help` must answer in under half a second: the CLI imports only click and the vendor
records up front (tests/test_cli.py checks *what* it imports; this measures *how long* it takes).

Run: ``make bench`` (all benchmarks) or ``.venv/bin/python -m benchmarks.bench_startup``.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time

from benchmarks._common import BIN, ROOT, machine

COMMANDS = {
    "contracts --help": [str(BIN / "contracts"), "--help"],
    "contracts drift --help": [str(BIN / "contracts"), "drift", "--help"],
    "python -c pass (the floor)": [sys.executable, "-c", "pass"],
    "import contracts.engine.runner (the engine)": [sys.executable, "-c", "import contracts.engine.runner"],
    "import contracts.pytest_plugin": [sys.executable, "-c", "import contracts.pytest_plugin"],
}


def wall_times(command: list[str], runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run(command, check=True, capture_output=True, cwd=ROOT)
        times.append(time.perf_counter() - started)
    return times


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args(argv)
    print(f"Start-up, wall time of a fresh process — {machine()}")
    print(f"{'command':<40} {'median s':>8} {'min s':>6} {'max s':>6}")
    for label, command in COMMANDS.items():
        wall_times(command, 1)  # warm the OS file cache and the bytecode cache
        times = wall_times(command, args.runs)
        print(f"{label:<40} {statistics.median(times):>8.3f} {min(times):>6.3f} {max(times):>6.3f}")


if __name__ == "__main__":
    main()
