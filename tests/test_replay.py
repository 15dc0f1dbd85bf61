"""Cassettes (recorded vendor traffic, HAR 1.2) and ``contracts replay``: one capture, every check.

The shipped cassettes (tests/data/cassettes) are a recording of the fakes over loopback; they replay clean against
the current specs and fakes, a fresh recording equals them byte for byte, and what a spec edit, a broken fake or a
bad cassette does to a replay is pinned here.
"""

from __future__ import annotations

import copy
import json
import os
import re
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from contracts import cli
from contracts.engine.context import load_spec
from contracts.fakes._core import DropField, SetValue
from contracts.pipeline import replay, scan_for_leaks
from contracts.transport.cassette import MAX_BODY_CHARS, CassetteError, read_cassette, to_har
from contracts.transport.client import Exchange
from contracts.values.findings import Kind
from contracts.values.pseudonyms import Pseudonymizer
from contracts.values.redaction import Redactor
from contracts.vendors import VENDORS, get_vendor
from tests.fixtures.cassettes import SHIPPED

NEXOR = get_vendor("nexor")
READ = "GET /leads/{id}"


def _copy(tmp_path: Path) -> Path:
    target = tmp_path / "cassettes"
    target.mkdir()
    for path in SHIPPED.glob("*.har"):
        (target / path.name).write_bytes(path.read_bytes())
    return target


def _invoke(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli.main, ["replay", *args, "--env-file", "/nonexistent/.env"])
    return result.exit_code, result.stdout, result.stderr


# --- the shipped set --------------------------------------------------------------------------------------------


def test_one_cassette_per_vendor_is_shipped_and_replays_clean():
    assert sorted(path.stem for path in SHIPPED.glob("*.har")) == sorted(vendor.name for vendor in VENDORS)
    result = replay([SHIPPED], redactor=Redactor())
    assert [item.line() for item in result.findings] == []
    assert result.checked > 40
    assert result.replayed > 40
    code, out, _ = _invoke(str(SHIPPED))
    assert code == 0, out
    assert "0 failure(s)" in out


@pytest.mark.slow
def test_a_fresh_recording_equals_the_shipped_cassettes(tmp_path):
    """Regeneration (``make cassettes``) is deterministic: recording again gives the very same files."""
    root = Path(__file__).resolve().parents[1]
    subprocess.run(
        [sys.executable, "-m", "tests.fixtures.cassettes", str(tmp_path / "cassettes")],
        cwd=root,
        env={**os.environ, "PYTHONPATH": str(root)},
        check=True,
        capture_output=True,
        timeout=300,
    )
    for path in SHIPPED.glob("*.har"):
        assert (tmp_path / "cassettes" / path.name).read_text() == path.read_text(), path.name


def test_the_shipped_cassettes_are_har_1_2_with_our_extension():
    for path in SHIPPED.glob("*.har"):
        log = json.loads(path.read_text())["log"]
        assert log["version"] == "1.2"
        assert log["_contracts"]["format"] == "contracts-cassette"
        assert log["_contracts"]["version"] == 1
        pages = {page["id"] for page in log["pages"]}
        for entry in log["entries"]:
            assert entry["pageref"] in pages
            assert entry["startedDateTime"] == "1970-01-01T00:00:00.000Z"
            assert entry["time"] == 0
            assert {"method", "url", "headers", "queryString"} <= set(entry["request"])
            assert {"status", "headers", "content"} <= set(entry["response"])
            names = [header["name"] for header in entry["request"]["headers"]]
            assert "user-agent" not in names
            assert names == sorted(names)


# --- recording: no key, no person, capped ----------------------------------------------------------------------


def _exchange(**overrides: object) -> Exchange:
    fields: dict[str, object] = {
        "vendor": "nexor",
        "operation": READ,
        "method": "GET",
        "url": "http://127.0.0.1:5555/nexor/api/public/leads/123e4567-e89b-12d3-a456-426614174000?email=ada%40lovelace.org",
        "path": "/leads/123e4567-e89b-12d3-a456-426614174000",
        "request_headers": {"accept": "*/*", "user-agent": "python-httpx/0.28"},
        "request_body": None,
        "source": "probe:known lead",
        "status_code": 200,
        "response_headers": {"content-type": "application/json", "date": "Tue, 01 Dec 2026 17:00:00 GMT"},
        "content": json.dumps(
            {
                "first_name": "Ada",
                "last_name": "Lovelace",
                "email": "ada@lovelace.org",
                "phone": "+442071234567",
                "note": "key nxr_live_realrealrealreal0000 echoed",
            }
        ).encode(),
    }
    fields.update(overrides)
    return Exchange(**fields)  # type: ignore[arg-type]


def test_a_recorded_cassette_holds_no_key_and_no_person(tmp_path):
    key = "nxr_live_realrealrealreal0000"
    redactor = Redactor([key])
    text = to_har(
        "nexor", [_exchange()], server_url="https://api.getnexor.ai/api/public", target="live", redactor=redactor
    )
    assert key not in text
    assert "[REDACTED]" in text
    for person in ("Ada", "Lovelace", "lovelace.org", "442071234567"):
        assert person not in text
    assert "127.0.0.1" not in text
    assert "https://api.getnexor.ai/api/public/leads/" in text
    assert "python-httpx" not in text
    assert "17:00:00" not in text
    path = tmp_path / "nexor.har"
    path.write_text(text)
    assert scan_for_leaks(redactor, [tmp_path]) == []


@pytest.mark.slow
def test_drift_record_writes_cassettes_the_leak_scan_passes(tmp_path):
    result = CliRunner().invoke(
        cli.main,
        ["drift", "--target", "fake", "--vendor", "aura", "--out", str(tmp_path / "r"), "--record",
         str(tmp_path / "c"), "--max-examples", "1", "--env-file", "/nonexistent/.env"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    written = tmp_path / "c" / "aura.har"
    fake_key = get_vendor("aura").fake().api_key
    assert fake_key not in written.read_text()  # the run's keys (here the fake's) are masked by value
    assert scan_for_leaks(Redactor([fake_key]), [written]) == []
    assert replay([written], redactor=Redactor([fake_key])).findings == []


def test_pseudonyms_are_stable_and_keep_the_format():
    first, again = Pseudonymizer(), Pseudonymizer()
    assert first.email("Ada@Lovelace.org") == again.email("Ada@Lovelace.org") != first.email("grace@hopper.mil")
    assert re.fullmatch(r"[a-z]+[0-9a-f]{4}@example\.com", first.email("ada@lovelace.org"))
    phone = first.phone("+442071234567")
    assert phone == again.phone("+442071234567")
    assert re.fullmatch(r"\+[1-9]\d{11}", phone)
    assert phone != "+442071234567"
    assert re.fullmatch(r"\(\d{3}\) \d{3}-\d{4}", first.phone("(555) 010-2030"))
    assert re.fullmatch(r"[A-Z][a-z]+ [A-Z][a-z]+", first.name("Ada Lovelace"))
    assert first.name("ada") == first.name("ada").lower()
    body = {"first_name": "Ada", "contact": {"email": "ada@lovelace.org", "mobile": "+15550102030"}, "id": "x1"}
    masked = first.value(body)
    assert masked == again.value(copy.deepcopy(body))
    assert masked["id"] == "x1"
    assert masked["first_name"] == first.name("Ada")
    assert masked["contact"]["email"] == first.email("ada@lovelace.org")
    assert Pseudonymizer("another salt").email("ada@lovelace.org") != first.email("ada@lovelace.org")


def test_a_body_over_the_cap_is_left_out_and_its_status_still_checked(tmp_path):
    huge = {"note": "x" * (MAX_BODY_CHARS + 10)}
    text = to_har("nexor", [_exchange(content=json.dumps(huge).encode())], server_url="https://h", target="fake",
                  redactor=Redactor())  # fmt: skip
    entry = json.loads(text)["log"]["entries"][0]
    assert "text" not in entry["response"]["content"]
    assert entry["_contracts"]["truncated"] is True
    path = tmp_path / "nexor.har"
    path.write_text(text)
    cassette = read_cassette(path, redactor=Redactor())
    assert cassette.truncated == {0}
    result = replay([path], redactor=Redactor())
    assert result.checked == 1
    assert all(item.finding.location != "body" for item in result.findings)


# --- what a replay catches -------------------------------------------------------------------------------------


def test_a_spec_edit_the_recorded_traffic_contradicts_fails_naming_the_exchange(tmp_path):
    raw = copy.deepcopy(load_spec(NEXOR).raw)
    core = raw["components"]["schemas"]["LeadCore"]
    core["properties"]["tenant_id"] = {"type": "string"}
    core["required"] = [*core["required"], "tenant_id"]
    edited = tmp_path / "nexor.yaml"
    edited.write_text(yaml.safe_dump(raw, sort_keys=False))
    result = replay(
        [SHIPPED / "nexor.har"],
        redactor=Redactor(),
        spec_for=lambda vendor: load_spec(replace(vendor, spec_file=str(edited))),
    )
    assert result.failed
    missing = [item for item in result.findings if item.finding.kind is Kind.MISSING_FIELD]
    assert missing
    assert all(item.finding.path.endswith("/tenant_id") for item in missing)
    line = missing[0].line()
    assert line.startswith(f"{SHIPPED / 'nexor.har'}#")
    assert " GET /leads/" in line
    assert "-> 200" in line
    assert "missing_field" in line
    assert "tenant_id" in line


def test_a_recorded_answer_the_spec_forbids_exits_1_naming_the_exchange(tmp_path):
    folder = _copy(tmp_path)
    document = json.loads((folder / "nexor.har").read_text())
    index = next(
        i for i, entry in enumerate(document["log"]["entries"])
        if entry["request"]["method"] == "GET" and entry["response"]["status"] == 200
    )  # fmt: skip
    content = document["log"]["entries"][index]["response"]["content"]
    body = json.loads(content["text"])
    body["first_name"] = 42
    content["text"] = json.dumps(body)
    (folder / "nexor.har").write_text(json.dumps(document))
    code, out, _ = _invoke(str(folder / "nexor.har"))
    assert code == 1
    assert f"nexor.har#{index} GET /leads/" in out
    assert "type_mismatch at body:/first_name" in out


@pytest.mark.parametrize(
    "defect",
    [DropField(operation=READ, pointer="/first_name"), SetValue(operation=READ, status=200, pointer="/email", value=7)],
    ids=["dropped-field", "wrong-type"],
)
def test_a_fake_broken_on_purpose_is_caught_by_the_replay(defect):
    result = replay([SHIPPED / "nexor.har"], redactor=Redactor(), fake_for=lambda vendor: vendor.fake(defects=[defect]))
    assert result.failed
    mismatches = [item for item in result.findings if item.finding.kind is Kind.FAKE_MISMATCH]
    assert mismatches
    assert {item.finding.path for item in mismatches} == {defect.pointer}
    assert all(item.exchange.method == "GET" and item.finding.operation == READ for item in mismatches)
    assert all(item.finding.severity == "error" for item in mismatches)


def test_a_fake_answering_another_status_is_caught():
    from contracts.fakes._core import ReplaceStatus

    broken = ReplaceStatus(operation=READ, status=404, new_status=400)
    result = replay([SHIPPED / "nexor.har"], redactor=Redactor(), fake_for=lambda v: v.fake(defects=[broken]))
    statuses = [item for item in result.findings if item.finding.kind is Kind.FAKE_MISMATCH]
    assert statuses
    assert all(item.finding.location == "status" and item.finding.observed == "400" for item in statuses)


# --- bad cassettes: one line, exit 2, nothing overwritten ------------------------------------------------------


def _bad_cassettes(folder: Path) -> dict[str, Path]:
    shipped = json.loads((SHIPPED / "aura.har").read_text())
    other = copy.deepcopy(shipped)
    other["log"]["_contracts"]["version"] = 99
    secret = copy.deepcopy(shipped)
    secret["log"]["entries"][0]["request"]["headers"].append(
        {"name": "authorization", "value": "Bearer aura_pk_live_abcdefghijklmnop"}
    )
    plain = copy.deepcopy(shipped)
    plain["log"]["entries"][0]["response"]["content"]["text"] = '{"echo": "sk-workspace_AbCdEfGhIjKlMnOp"}'
    files = {
        "corrupt": ("corrupt.har", '{"log": {"version": "1.2", "entries": ['),
        "not-ours": ("plain.har", json.dumps({"log": {"version": "1.2", "entries": []}})),
        "other-version": ("other.har", json.dumps(other)),
        "bearer-secret": ("bearer.har", json.dumps(secret)),
        "key-pattern": ("pattern.har", json.dumps(plain)),
    }
    paths = {}
    for name, (filename, text) in files.items():
        paths[name] = folder / filename
        paths[name].write_text(text)
    return paths


@pytest.mark.parametrize("case", ["corrupt", "not-ours", "other-version", "bearer-secret", "key-pattern"])
def test_a_bad_cassette_is_refused_in_one_line_with_exit_2(tmp_path, case):
    folder = _copy(tmp_path)
    bad = _bad_cassettes(tmp_path)[case]
    before = {path: path.read_bytes() for path in [*folder.glob("*"), bad]}
    code, out, err = _invoke(str(folder), str(bad))
    assert code == 2
    assert err.count("\n") == 1, err
    assert err.startswith(f"error: {bad}: "), err
    assert out == ""
    assert {path: path.read_bytes() for path in before} == before  # nothing overwritten
    if case in ("bearer-secret", "key-pattern"):
        assert "abcdefghijklmnop" not in err
        assert "AbCdEfGhIjKlMnOp" not in err


def test_a_cassette_holding_a_configured_key_is_refused(tmp_path):
    key = "dn_key_id:very-secret-value"
    path = tmp_path / "dialnexa.har"
    path.write_text((SHIPPED / "dialnexa.har").read_text().replace('"accept"', f'"{key}"', 1))
    with pytest.raises(CassetteError, match="configured key"):
        replay([path], redactor=Redactor([key]))
    assert key in path.read_text()  # refused, not rewritten


def test_no_cassette_at_all_is_a_usage_error(tmp_path):
    code, _, err = _invoke(str(tmp_path))
    assert code == 2
    assert "no cassette" in err


def test_a_recording_of_other_records_replays_on_the_fakes_own(tmp_path):
    """A live night read the vendor's lead, not the fake's: the cassette names it (``ids``), and the replay sends
    the fake's known lead in its place."""
    fake = NEXOR.fake()
    recorded_id = "5d0c1b9e-8a7f-4e6d-9c5b-4a3f2e1d0c9b"
    path = tmp_path / "nexor.har"
    path.write_text((SHIPPED / "nexor.har").read_text().replace(fake.known_lead_id, recorded_id))
    assert json.loads(path.read_text())["log"]["_contracts"]["ids"]["lead_id"] == recorded_id
    result = replay([path], redactor=Redactor())
    assert [item.line() for item in result.findings] == []
    unmapped = json.loads(path.read_text())
    unmapped["log"]["_contracts"]["ids"] = {}
    path.write_text(json.dumps(unmapped))
    statuses = [item.finding for item in replay([path], redactor=Redactor()).findings]
    assert statuses
    assert {(finding.kind, finding.location, finding.observed) for finding in statuses} == {
        (Kind.FAKE_MISMATCH, "status", "404")
    }


@pytest.mark.slow
def test_the_leak_scan_covers_the_record_folder(tmp_path, monkeypatch):
    """Whatever ends up in the --record folder is scanned for the configured keys like the reports are."""
    key = "aura_pk_live_configuredinenvironment"
    monkeypatch.setenv("AURA_API_KEY", key)
    (tmp_path / "c").mkdir()
    planted = tmp_path / "c" / "notes.har"
    planted.write_text(f"left here by hand: {key}\n")
    result = CliRunner().invoke(
        cli.main,
        ["drift", "--target", "fake", "--vendor", "aura", "--out", str(tmp_path / "r"), "--record",
         str(tmp_path / "c"), "--max-examples", "1", "--env-file", "/nonexistent/.env"],
    )  # fmt: skip
    assert result.exit_code == 2, result.output
    assert f"SECRET LEAK: the value of AURA_API_KEY appeared in {planted}" in result.stderr
    assert key not in planted.read_text()
    assert key not in (tmp_path / "c" / "aura.har").read_text()


def test_a_bearer_challenge_is_no_credential():
    from contracts.transport.cassette import secret_in

    assert secret_in('www-authenticate: Bearer realm="api", error="invalid_token"', Redactor(), ()) is None
    assert secret_in("authorization: Bearer [REDACTED]", Redactor(), ()) is None
    assert secret_in("authorization: Bearer abc.def-ghi", Redactor(), ()) is not None


def test_a_bug_in_the_replay_exits_4_with_its_traceback(monkeypatch):
    """Like `contracts drift`: a bug of ours is never reported as a contract failure (exit 1)."""

    def planted_bug(*args, **kwargs):
        known: dict[str, int] = {}
        return known["a key the replay forgot"]

    monkeypatch.setattr("contracts.pipeline.replay", planted_bug)
    result = CliRunner().invoke(cli.main, ["replay", str(SHIPPED)])
    assert result.exit_code == 4, result.output
    assert "in planted_bug" in result.output
    assert "internal error: this is a bug in the contract suite" in result.output


def test_a_query_parameter_sent_empty_is_recorded_as_sent():
    """``?limit=`` is a request of its own (a vendor may refuse it): the cassette keeps it, empty."""
    url = "http://127.0.0.1:5555/aura/v1/leads?limit=&status=new"
    exchanges = [_exchange(url=url, path="/v1/leads")]
    har = json.loads(to_har("aura", exchanges, server_url="https://h/v1", target="fake", redactor=Redactor([])))
    request = har["log"]["entries"][0]["request"]
    assert [item["name"] for item in request["queryString"]] == ["limit", "status"]
    assert request["queryString"][0]["value"] == ""
    assert request["url"].endswith("/v1/leads?limit=&status=new")
