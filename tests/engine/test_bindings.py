"""A run writes only to what it made or what the user named (``Vendor.path_bindings``, ``body_bindings``), sends
an operation that can reach a person only with outreach allowed (``Vendor.operation_needs``), and property-tests a
write on a record it created first. Shown on Acme lists (tests/fixtures/acme_lists.py)."""

from __future__ import annotations

import dataclasses

import pytest

from contracts.engine.context import load_spec, open_run
from contracts.engine.runner import VendorRun, plan_units
from contracts.engine.scenarios import run_scenario
from contracts.transport.targets import Target, fake_target
from contracts.values.errors import UnsafeRequest
from contracts.values.model import OWNED, Capability, Credentials
from contracts.values.results import Status
from tests.fixtures.acme_lists import ACME_LISTS, CAMPAIGN, IMPORT, UPDATE, AcmeListsFake, acme_lists

SPEC = load_spec(ACME_LISTS)


def target(fake: AcmeListsFake, *, without: frozenset[Capability] = frozenset()) -> Target:
    built = fake_target(fake, base_url=SPEC.server_url).with_limits(max_examples=3, stateful_examples=2)
    return dataclasses.replace(built, capabilities=built.capabilities - without)


def patch(ctx, lead_id: str):
    return ctx.client.request(
        "PATCH",
        f"/leads/{lead_id}",
        headers=ctx.credential_headers(Credentials.VALID),
        json_body={"name": "Changed"},
        source="test",
    )


def test_a_write_to_a_record_the_run_did_not_create_is_refused_before_it_is_sent():
    fake = AcmeListsFake()
    ctx = open_run(ACME_LISTS, target(fake), spec=SPEC)
    for lead_id in ("ld_1", fake.known_lead_id):
        with pytest.raises(UnsafeRequest, match=r"refusing PATCH /leads/\{id\}: its path parameter id is"):
            patch(ctx, lead_id)
    assert ctx.client.exchanges == [], "nothing was sent"
    assert fake.leads["ld_1"]["name"] == "Ben"


def test_a_write_to_a_record_the_run_created_or_to_the_unknown_id_is_sent():
    fake = AcmeListsFake()
    ctx = open_run(ACME_LISTS, target(fake), spec=SPEC)
    created = ctx.client.request(
        "POST", "/leads", headers=ctx.credential_headers(Credentials.VALID),
        json_body={"name": "Mine", "email": ctx.unique_email()}, source="test",
    ).json()["id"]  # fmt: skip
    assert patch(ctx, created).status_code == 200
    assert patch(ctx, ACME_LISTS.unknown_id).status_code == 404
    assert fake.leads[created]["name"] == "Changed"


def test_the_known_lead_is_refused_even_when_the_run_created_it():
    fake = AcmeListsFake()
    ctx = open_run(ACME_LISTS, target(fake), spec=SPEC)
    ctx.remember_created(fake.known_lead_id)
    with pytest.raises(UnsafeRequest):
        patch(ctx, fake.known_lead_id)


def test_a_record_the_user_names_for_a_behaviour_is_writable():
    vendor = acme_lists(user_records=("started_lead_id",))
    fake = AcmeListsFake()
    built = target(fake)
    ctx = open_run(vendor, dataclasses.replace(built, variables={"started_lead_id": "ld_3"}), spec=SPEC)
    assert patch(ctx, "ld_3").status_code == 200
    with pytest.raises(UnsafeRequest):
        patch(ctx, "ld_2")


def test_a_path_bound_to_a_variable_takes_only_the_configured_value():
    fake = AcmeListsFake()
    ctx = open_run(ACME_LISTS, target(fake), spec=SPEC)
    files = {"file": ("leads.csv", b"phone_number\r\n+15550100\r\n", "text/csv")}
    headers = ctx.credential_headers(Credentials.VALID)
    with pytest.raises(UnsafeRequest, match="not the configured ACME_LISTS_CAMPAIGN_ID"):
        ctx.client.request("POST", "/campaigns/cmp_live/import", headers=headers, files=files, source="test")
    sent = ctx.client.request("POST", f"/campaigns/{CAMPAIGN}/import", headers=headers, files=files, source="test")
    assert sent.json() == {"created": 1, "skipped": 0}
    assert b'name="file"; filename="leads.csv"' in (sent.request_body or b""), "the multipart body is logged"


def test_a_body_field_bound_to_a_variable_takes_only_the_configured_value():
    vendor = acme_lists(body_bindings={"POST /leads": {"status": "status_value"}, UPDATE: {"name": OWNED}})
    built = target(AcmeListsFake())
    ctx = open_run(vendor, dataclasses.replace(built, variables={"status_value": "new"}), spec=SPEC)
    headers = ctx.credential_headers(Credentials.VALID)
    with pytest.raises(UnsafeRequest, match="body field status is 'won'"):
        ctx.client.request(
            "POST", "/leads", headers=headers, json_body={"name": "A", "email": "a@example.com", "status": "won"},
            source="test",
        )  # fmt: skip
    fine = {"name": "A", "email": "a@example.com", "status": "new"}
    assert ctx.client.request("POST", "/leads", headers=headers, json_body=fine, source="test").status_code == 201
    # An absent bound field is not checked: the vendor cannot find a record by it.
    assert ctx.client.request("POST", "/leads", headers=headers, json_body={"name": "B"}, source="test").status_code


def test_an_operation_that_can_reach_a_person_is_refused_without_outreach():
    ctx = open_run(ACME_LISTS, target(AcmeListsFake(), without=frozenset({Capability.OUTREACH})), spec=SPEC)
    files = {"file": ("leads.csv", b"phone_number\r\n+15550100\r\n", "text/csv")}
    with pytest.raises(UnsafeRequest, match="ACME_LISTS_ALLOW_OUTREACH=1"):
        ctx.client.request(
            "POST", f"/campaigns/{CAMPAIGN}/import", headers=ctx.credential_headers(Credentials.VALID), files=files,
            source="test",
        )  # fmt: skip
    outcome = run_scenario(ctx, ACME_LISTS.scenarios[0])
    assert outcome.skipped is not None
    assert "ACME_LISTS_ALLOW_OUTREACH" in outcome.skipped


def test_units_need_what_their_operations_need_and_name_missing_variables():
    units = {unit.id: unit for unit in plan_units(ACME_LISTS, SPEC)}
    assert units[f"property:{IMPORT}"].needs == {Capability.WRITES, Capability.OUTREACH}
    assert units[f"property:{IMPORT}"].variables == ("campaign_id",)
    assert units[f"property:{UPDATE}"].needs == {Capability.WRITES}, "its seed (a create) needs writes"
    built = dataclasses.replace(target(AcmeListsFake()), variables={})
    run = VendorRun.start(ACME_LISTS, built, spec=SPEC)
    outcome = run.run(units[f"property:{IMPORT}"])
    assert outcome.skipped == "not configured: set ACME_LISTS_CAMPAIGN_ID"


def test_an_upload_step_sends_its_rows_as_a_csv_and_checks_the_counts():
    fake = AcmeListsFake()
    ctx = open_run(ACME_LISTS, target(fake), spec=SPEC)
    outcome = run_scenario(ctx, ACME_LISTS.scenarios[0])
    assert outcome.findings == []
    assert outcome.skipped is None
    assert [row["first"] for row in fake.imported] == ["Ana", "Ben"]
    assert fake.imported[1]["plan"] == "gold"
    assert fake.imported[0]["plan"] == "", "a missing cell is left empty"
    broken = AcmeListsFake(bugs={"import_counts_all"})
    ctx = open_run(ACME_LISTS, target(broken), spec=SPEC)
    findings = run_scenario(ctx, ACME_LISTS.scenarios[0]).findings
    assert {(finding.path, finding.expected, finding.observed) for finding in findings} == {
        ("/created", "2", "3"),
        ("/skipped", "1", "0"),
    }


def test_the_property_unit_of_an_owned_write_creates_its_record_first_and_touches_nothing_else():
    fake = AcmeListsFake()
    run = VendorRun.start(ACME_LISTS, target(fake), spec=SPEC)
    unit = next(unit for unit in run.units() if unit.id == f"property:{UPDATE}")
    outcome = run.run(unit)
    assert outcome.skipped is None
    assert outcome.cases > 1
    assert run.ctx is not None
    patched = {exchange.path for exchange in run.ctx.client.exchanges if exchange.method == "PATCH"}
    assert len(patched) == 1, patched
    (path,) = patched
    created = path.rsplit("/", 1)[1]
    assert created in fake.api_created, "the one lead it wrote to is the one it created"
    seeded = {lead_id: lead for lead_id, lead in fake.leads.items() if lead_id not in fake.api_created}
    assert seeded == AcmeListsFake().leads, "no seeded lead changed"
    run.close()


def test_a_whole_run_on_the_fake_passes_and_no_write_is_refused():
    fake = AcmeListsFake()
    run = VendorRun.start(ACME_LISTS, target(fake), spec=SPEC)
    result = run.run_all()
    assert result.status is Status.PASS, [(f.operation, f.path, f.expected, f.observed) for f in result.findings]
    assert not [outcome.skipped for outcome in result.outcomes if outcome.skipped]
    assert set(fake.leads) >= set(AcmeListsFake().leads)
    run.close()


def test_records_an_upload_created_without_naming_them_are_reported_as_not_cleaned_up():
    vendor = acme_lists(unnamed_creations={IMPORT: "/created"})
    run = VendorRun.start(vendor, target(AcmeListsFake()), spec=SPEC)
    run.run(next(unit for unit in run.units() if unit.kind == "scenario"))
    cleanup = run.clean_up()
    assert cleanup.not_cleaned == (
        {
            "vendor": "acme_lists",
            "operation": IMPORT,
            "id": f"2 unnamed (/campaigns/{CAMPAIGN}/import)",
            "reason": "the response names no ids, so no documented delete can reach them: remove them in the "
            "vendor's dashboard",
        },
    )
    run.close()


def test_without_a_lead_to_read_a_seed_that_cannot_run_is_a_setup_error_naming_what_to_set():
    vendor = acme_lists(operation_needs={"POST /leads": frozenset({Capability.OUTREACH})})
    built = dataclasses.replace(target(AcmeListsFake(), without=frozenset({Capability.OUTREACH})), lead_id=None)
    run = VendorRun.start(vendor, built, spec=SPEC)
    assert run.status is Status.ERROR
    assert run.problem == (
        "acme_lists: no lead to read: set ACME_LISTS_LEAD_ID, or let the run create one (outreach is not allowed "
        "(set ACME_LISTS_ALLOW_OUTREACH=1))"
    )
    assert run.ctx is not None
    assert run.ctx.client.exchanges == [], "nothing was sent"
    run.close()


def test_a_probe_that_needs_a_variable_is_skipped_naming_it():
    from contracts.engine.probes import run_probe
    from contracts.values.model import Probe

    probe = Probe(name="import into a campaign", operation=IMPORT, path_params={"campaignId": "{other}"},
                  variables=("other",), expect_status=400)  # fmt: skip
    ctx = open_run(ACME_LISTS, target(AcmeListsFake()), spec=SPEC)
    assert run_probe(ctx, probe).skipped == "not configured: set ACME_LISTS_OTHER"
