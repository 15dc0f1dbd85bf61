"""The clean-up ledger: a run deletes what it created, through the documented delete, and only that.

On Acme (tests/fixtures/acme.py), whose spec documents ``DELETE /leads/{id}`` (204; 404 when missing) and whose
record says ``cleanup={"POST /leads": "DELETE /leads/{id}"}``.
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest

from contracts.engine.cleanup import CleanupLedger, LedgerRecord
from contracts.engine.context import load_spec
from contracts.engine.runner import VendorRun, run_vendor
from contracts.fakes._core import Fault
from contracts.transport.targets import Target, fake_target
from contracts.values.model import Capability
from contracts.values.redaction import Redactor
from contracts.values.results import Status
from tests.fixtures.acme import ACME, CREATE, DELETE, KNOWN_LEAD, AcmeFake

SPEC = load_spec(ACME)


def target(fake: AcmeFake, *, writes: bool = True) -> Target:
    built = fake_target(fake, base_url=SPEC.server_url).with_limits(
        max_examples=3, stateful_examples=3, connect_timeout=0.05, read_timeout=0.05, retries=1, max_retry_wait=0.1
    )
    if writes:
        return built
    return dataclasses.replace(built, capabilities=built.capabilities - {Capability.WRITES})


def ledger_records(path: Path) -> list[dict[str, str]]:
    records: list[dict[str, str]] = json.loads(path.read_text())["records"]
    return records


def created_ids(fake: AcmeFake) -> set[str]:
    return set(fake.leads) - {KNOWN_LEAD["id"]}


def killed_run(fake: AcmeFake, ledger: Path) -> str:
    """A run that created leads (the scenario unit) and was killed before it finished: it never cleaned up."""
    run = VendorRun.start(ACME, target(fake), spec=SPEC, cleanup_file=ledger, run_id="killed000000")
    scenario = next(unit for unit in run.units() if unit.kind == "scenario")
    run.run(scenario)
    run.close()  # no run_all, no clean_up: as if the process died here
    return "killed000000"


def test_what_a_run_creates_is_deleted_at_its_end_and_the_ledger_ends_empty(tmp_path):
    fake, ledger = AcmeFake(), tmp_path / ".cleanup-live.json"
    result = run_vendor(ACME, target(fake), spec=SPEC, cleanup_file=ledger)
    assert result.status is Status.PASS
    assert result.created, "the run created leads"
    assert result.cleanup.deleted == len({record["id"] for record in result.created})
    assert result.cleanup.not_cleaned == ()
    assert ledger_records(ledger) == []
    assert set(fake.leads) == {KNOWN_LEAD["id"]}, "every lead the run made is gone; the known lead stays"
    assert result.operations[DELETE]["statuses"].get("204", 0) >= result.cleanup.deleted  # counted like any request
    assert result.cleanup.as_dict() == {"deleted": result.cleanup.deleted, "not_cleaned": []}


def test_a_record_is_in_the_ledger_as_soon_as_the_vendor_answers(tmp_path):
    fake, ledger = AcmeFake(), tmp_path / "ledger.json"
    run_id = killed_run(fake, ledger)
    records = ledger_records(ledger)
    assert {record["id"] for record in records} == created_ids(fake)
    assert all(record["run_id"] == run_id and record["operation"] == CREATE for record in records)
    assert all(record["vendor"] == "acme" and record["created_at"] for record in records)


def test_a_killed_runs_leftovers_are_deleted_first_by_the_next_run(tmp_path):
    fake, ledger = AcmeFake(), tmp_path / "ledger.json"
    killed_run(fake, ledger)
    leftovers = created_ids(fake)
    assert leftovers
    run = VendorRun.start(ACME, target(fake), spec=SPEC, cleanup_file=ledger)
    try:
        # Before any unit ran: the leftovers are gone, from the vendor and from the ledger.
        assert run.cleaned_at_start == len(leftovers)
        assert not created_ids(fake) & leftovers
        assert not {record["id"] for record in ledger_records(ledger)} & leftovers
        result = run.run_all()
    finally:
        run.close()
    assert result.cleanup.deleted >= len(leftovers) + 1
    assert ledger_records(ledger) == []
    assert set(fake.leads) == {KNOWN_LEAD["id"]}


@pytest.mark.parametrize(
    ("fault", "reason"),
    [
        (Fault("status", operation=DELETE, status=500), "DELETE /leads/{id} answered 500 (undocumented)"),
        (Fault("timeout", operation=DELETE), "DELETE /leads/{id} failed: "),
    ],
    ids=["500", "timeout"],
)
def test_a_delete_that_fails_stays_in_the_ledger_and_is_reported(tmp_path, fault, reason):
    fake, ledger = AcmeFake(faults=[fault]), tmp_path / "ledger.json"
    result = run_vendor(ACME, target(fake), spec=SPEC, cleanup_file=ledger)
    left = created_ids(fake)
    assert left, "nothing could be deleted"
    assert result.cleanup.deleted == 0
    assert {item["id"] for item in result.cleanup.not_cleaned} == left
    assert all(item["reason"].startswith(reason) for item in result.cleanup.not_cleaned)
    assert all(item["vendor"] == "acme" and item["operation"] == CREATE for item in result.cleanup.not_cleaned)
    assert {record["id"] for record in ledger_records(ledger)} == left, "kept for the next run"


def test_without_writes_nothing_is_deleted_and_the_records_are_reported(tmp_path):
    fake, ledger = AcmeFake(), tmp_path / "ledger.json"
    killed_run(fake, ledger)
    leftovers = created_ids(fake)
    result = run_vendor(ACME, target(fake, writes=False), spec=SPEC, cleanup_file=ledger)
    assert created_ids(fake) == leftovers, "no delete was sent"
    assert DELETE not in result.operations
    assert result.cleanup.deleted == 0
    assert {item["id"] for item in result.cleanup.not_cleaned} == leftovers
    assert {item["reason"] for item in result.cleanup.not_cleaned} == {
        "writes are not allowed (set ACME_ALLOW_WRITES=1)"
    }
    assert {record["id"] for record in ledger_records(ledger)} == leftovers


def test_a_vendor_that_documents_no_delete_keeps_its_records_and_says_so(tmp_path):
    fake, ledger = AcmeFake(), tmp_path / "ledger.json"
    vendor = dataclasses.replace(ACME, cleanup={})
    result = run_vendor(vendor, target(fake), spec=SPEC, cleanup_file=ledger)
    assert created_ids(fake)
    # The superset: a DELETE the property units sent may have removed a lead, but only the ledger knows it.
    assert {item["id"] for item in result.cleanup.not_cleaned} >= created_ids(fake)
    assert {item["id"] for item in result.cleanup.not_cleaned} == {record["id"] for record in ledger_records(ledger)}
    assert {item["reason"] for item in result.cleanup.not_cleaned} == {"not cleaned up: the vendor documents no delete"}


def test_the_known_lead_is_never_deleted_even_from_the_ledger(tmp_path):
    fake, ledger = AcmeFake(), tmp_path / "ledger.json"
    known = KNOWN_LEAD["id"]
    mistake = LedgerRecord(
        vendor="acme", operation=CREATE, id=known, run_id="earlier00000", created_at="2026-01-01T00:00:00Z"
    )
    CleanupLedger(ledger).add(mistake)
    run = VendorRun.start(ACME, target(fake), spec=SPEC, cleanup_file=ledger)
    try:
        result = run.run_all()
        assert run.ctx is not None
        deletes = [exchange.path for exchange in run.ctx.client.exchanges if exchange.source == "cleanup"]
    finally:
        run.close()
    assert known in fake.leads
    assert result.status is Status.PASS, "the guard read the known lead after the start's clean-up"
    assert all(known not in path for path in deletes)
    assert [item["id"] for item in result.cleanup.not_cleaned] == [known]
    assert "known lead" in result.cleanup.not_cleaned[0]["reason"]
    assert [record["id"] for record in ledger_records(ledger)] == [known]


def test_the_ledger_holds_no_key(tmp_path):
    fake, ledger = AcmeFake(faults=[Fault("status", operation=DELETE, status=500)]), tmp_path / "ledger.json"
    redactor = Redactor()
    run_vendor(ACME, target(fake), spec=SPEC, cleanup_file=ledger, redactor=redactor)
    assert ledger_records(ledger), "records were written"
    assert redactor.scan([tmp_path]) == []
    assert AcmeFake.api_key not in ledger.read_text()


def test_without_a_file_the_ledger_lives_in_memory_and_still_cleans_up():
    fake = AcmeFake()
    result = run_vendor(ACME, target(fake), spec=SPEC)
    assert result.cleanup.deleted >= 1
    assert set(fake.leads) == {KNOWN_LEAD["id"]}


def test_an_unreadable_ledger_stops_the_run_before_it_creates_anything(tmp_path):
    ledger = tmp_path / "ledger.json"
    ledger.write_text("{not json")
    fake = AcmeFake()
    run = VendorRun.start(ACME, target(fake), spec=SPEC, cleanup_file=ledger)
    result = run.run_all()
    assert result.status is Status.ERROR
    assert "clean-up ledger" in (result.reason or "")
    assert created_ids(fake) == set()
    assert ledger.read_text() == "{not json", "left for a person to look at"


def test_deletes_count_against_the_request_budget(tmp_path):
    """A delete is a request like any other: the budget spent, the rest stay in the ledger with the reason."""
    fake, ledger = AcmeFake(), tmp_path / "ledger.json"
    killed_run(fake, ledger)
    leftovers = created_ids(fake)
    assert len(leftovers) >= 1
    run = VendorRun.start(ACME, target(fake).with_limits(request_budget=len(leftovers)), spec=SPEC, cleanup_file=ledger)
    try:
        assert run.cleaned_at_start == len(leftovers)
        assert run.ctx is not None
        assert run.ctx.client.requests_sent == len(leftovers)
        assert run.status is Status.INCONCLUSIVE, "no request left for the guard"
    finally:
        run.close()
    # A second run with the same budget, and one more record than that: the last is kept and reported.
    killed_run(fake, ledger)
    more = created_ids(fake)
    result = run_vendor(ACME, target(fake).with_limits(request_budget=len(more) - 1), spec=SPEC, cleanup_file=ledger)
    assert result.cleanup.deleted == len(more) - 1
    assert len(result.cleanup.not_cleaned) == 1
    assert "request budget" in result.cleanup.not_cleaned[0]["reason"]
    assert len(ledger_records(ledger)) == 1


def test_live_runs_keep_their_ledger_in_the_report_folder_and_fakes_in_memory(tmp_path):
    from contracts.pipeline import cleanup_file

    assert cleanup_file("live", tmp_path) == tmp_path / ".cleanup-live.json"
    assert cleanup_file("fake", tmp_path) is None
