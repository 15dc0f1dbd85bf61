"""Every test here is a smoke test of a benchmark script, marked ``bench_smoke``: the slowest tests of the suite.

The project's pytest options deselect them (``-m "not live and not bench_smoke"``), so ``make test`` leaves them
out; ``make bench-smoke`` runs them (``pytest -m bench_smoke tests/benchmarks``), and so does ``.ci/run``.
"""

from __future__ import annotations

from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent


@pytest.hookimpl(tryfirst=True)  # before ``-m`` deselects by marker
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if item.path.resolve().is_relative_to(HERE):
            item.add_marker(pytest.mark.bench_smoke)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    deselected = terminalreporter.stats.get("deselected", [])
    smoke = [item for item in deselected if isinstance(item, pytest.Item) and item.get_closest_marker("bench_smoke")]
    if smoke:
        terminalreporter.write_line(
            f"{len(smoke)} benchmark smoke test(s) deselected: run them with `make bench-smoke` "
            "(or `pytest -m bench_smoke tests/benchmarks`)"
        )
