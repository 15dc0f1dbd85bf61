"""Smoke test of benchmarks/bench_validation.py on its quick corpus: it records, caches, prints every row and
every implementation flags the broken responses. No timing is asserted."""

from __future__ import annotations

import re

from benchmarks import bench_validation

ROW = re.compile(r"^  (?P<name>.+?) +(?P<rate>[\d,]+) +[\d,]+–[\d,]+ +[\d.]+x +(?P<flagged>\d+)/(?P<broken>\d+) +0/\d+")


def rows(out: str) -> dict[str, tuple[int, int]]:
    """Per implementation: (broken responses flagged, broken responses), from rows that flagged nothing clean."""
    matches = [ROW.match(line) for line in out.splitlines()]
    return {match["name"]: (int(match["flagged"]), int(match["broken"])) for match in matches if match}


def test_the_quick_run_prints_three_rows_and_each_flags_the_broken_responses(tmp_path, capsys):
    assert bench_validation.main(["--quick", "--runs", "1", "--cache-dir", str(tmp_path)]) == 0
    out = capsys.readouterr().out

    table = rows(out)
    assert set(table) == {bench_validation.ENGINE, bench_validation.OPENAPI_CORE, bench_validation.BARE_RS}, out
    found = re.search(r"(\d+) broken;", out)
    assert found, out
    broken = int(found[1])
    assert broken == round(bench_validation.QUICK_SIZE * bench_validation.BROKEN_FRACTION)
    assert table[bench_validation.ENGINE] == (broken, broken)
    for name, (flagged, total) in table.items():
        assert total == broken
        assert flagged > 0, name
    # Whatever one of them misses is a known blind spot (bare jsonschema-rs never sees the content type,
    # openapi-core's email check only wants an "@"), never a surprise; and nothing served as it was is flagged.
    assert "UNEXPECTED" not in out
    assert "openapi-core's format checks" in out

    cached = list(tmp_path.glob("corpus-*.jsonl.gz"))
    assert len(cached) == 1
    assert bench_validation.main(["--quick", "--runs", "1", "--cache-dir", str(tmp_path)]) == 0
    assert f"from {cached[0]}" in capsys.readouterr().out  # the second run reads the recording back
