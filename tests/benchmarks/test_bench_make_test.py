"""Smoke test of benchmarks/bench_make_test.py: it runs, prints every row, and its figures add up.

No timing is asserted: only that the breakdown is complete and consistent (single process: the measured
categories never exceed the wall time, which is what overhead makes up to).
"""

from __future__ import annotations

import re

from benchmarks import bench_make_test

# One small test that runs a property test: generation, HTTP and checks all happen in it.
# A single file, so the inner pytest run never selects tests/benchmarks (no recursion).
SMALL_RUN = "tests/engine/test_property.py -k examples_phase_reaches_the_documented_2xx"


def number(pattern: str, text: str) -> float:
    match = re.search(pattern, text)
    assert match, f"{pattern!r} not in:\n{text}"
    return float(match[1])


def test_the_breakdown_prints_every_category_and_adds_up(capsys):
    assert bench_make_test.main(["--no-lint", "--no-imports", "--pytest-args", SMALL_RUN]) == 0
    out = capsys.readouterr().out

    assert re.search(r"^  \d+ cores, .+, Python 3\.\d+", out, re.MULTILINE), "the machine is named"
    assert "1 passed" in out

    rows = {}
    for label in [*bench_make_test.LABELS.values(), "total (pytest wall)"]:
        match = re.search(rf"^  {re.escape(label)} +(-?\d+\.\d+) +(-?\d+\.\d+) %$", out, re.MULTILINE)
        assert match, f"no row for {label!r} in:\n{out}"
        rows[label] = float(match[1])
    assert all(seconds >= 0 for seconds in rows.values()), rows

    wall = number(r"pytest wall: (\d+\.\d+) s", out)
    measured = sum(rows[label] for label in bench_make_test.LABELS.values() if label != "pytest overhead")
    rounding = 0.01 * len(rows)  # each printed figure is rounded to 0.01 s
    assert measured <= wall + rounding
    assert abs(measured + rows["pytest overhead"] - wall) <= rounding
    assert rows["total (pytest wall)"] == wall
    assert number(r"make test wall: (\d+\.\d+) s", out) == wall

    calls = dict(re.findall(r"(HTTP|checks|case generation) (\d+)", out.split("timed calls:", 1)[1].splitlines()[0]))
    assert int(calls["case generation"]) >= 1  # the property run went through the wrapped functions
    assert int(calls["HTTP"]) > 0
    assert int(calls["checks"]) > 0
    assert "not instrumented" in out  # says where subprocesses started by tests are counted
    assert "10 slowest tests" in out
    assert "tests/engine/test_property.py::test_the_examples_phase_reaches_the_documented_2xx" in out


def test_the_import_report_is_added_up_per_package():
    cost = bench_make_test.import_cost("import json", ["-c", "import json"], watch=["json"])
    packages = {name: (seconds, modules) for name, seconds, modules in cost.by_package}
    assert "json" in packages
    assert packages["json"][1] >= 2  # json and json.decoder, ...
    assert set(cost.cumulative) == {"json"}
    assert cost.total >= 0
    assert cost.cumulative["json"] >= packages["json"][0] - 1e-6  # cumulative includes the package's own time
