"""The property-vs-CLI benchmark runs every side on the same work and prints its ratios (figures not asserted)."""

from __future__ import annotations

import re

from benchmarks import bench_property_vs_cli


def test_every_side_runs_the_same_cases_and_the_ratios_are_printed(capsys):
    bench_property_vs_cli.main(["--runs", "1", "--max-examples", "2", "--vendor", "aura"])
    output = capsys.readouterr().out
    rate = r"[\d.]+ \([\d.]+–[\d.]+\)"
    row = re.search(
        rf"^aura\s+(\d+)\s+{rate}\s+{rate}\s+{rate}\s+{rate}\s+[\d.]+\s+[\d.]+x\s+[\d.]+x\s+[\d.]+x$", output, re.M
    )
    assert row, output
    counts = re.search(r"the engine ran (\d+) cases a run, the CLI (\d+)\)", output)
    assert counts, output
    ours, engine, cli = int(row.group(1)), int(counts.group(1)), int(counts.group(2))
    # The engine (and so the CLI) repeats some examples in the examples phase; our driver sends each one once.
    # Since issue 10 the sides differ by a few per cent on an update (Aura: 482 against 465 on 2026-12-01): our
    # client refuses a PATCH to an id the run did not create, which the engine side is not pinned to, and our own
    # driver writes to a lead it created first. So the counts are compared within 5 %.
    assert abs(engine - cli) <= 0.05 * cli
    assert 0 < ours <= 1.05 * max(cli, engine)
    assert re.search(r"Ours / CLI, both over loopback, median over vendors: [\d.]+x \(like for like\)", output)
    assert re.search(r"Ours in process / CLI over loopback: [\d.]+x \(not like for like", output)
    assert re.search(r"from each side's fastest run: [\d.]+x", output)
    assert re.search(r"all their time, both over loopback: ours [\d.]+, CLI [\d.]+ cases/s, [\d.]+x", output)
    assert re.search(r"ours / CLI, one spec after another: [\d.]+x", output)
