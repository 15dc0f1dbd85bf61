"""The one run path and the one publish path, shared by ``contracts drift`` and the pytest plugin.

* ``open_vendor_run``: the target a run asks for (the built-in fake, or the live vendor configured from
  the environment), then the engine's ``VendorRun`` against it, credentials guard included. Setup
  problems (no key, bad configuration, a broken spec) become a run that did not start, with its status.
* ``publish``: tonight's results compared with the history, the reports written, the history saved,
  and everything written scanned for keys (``scan_for_leaks``). Drift that persisted across runs also
  becomes a proposed spec patch per vendor, ``overlay-<vendor>.yaml`` (``write_overlays``), never applied.
* ``record_cassette`` and ``replay``: a run's exchanges saved as a cassette (HAR 1.2, ``contracts drift --record``),
  and cassettes replayed against the current specs and the fakes (``contracts replay``).
* ``merge_reports``: the ``drift.json`` of runs split by vendor (one CI job each) read back and published
  as one run (``contracts report merge``).
"""

from __future__ import annotations

import hashlib
import os
import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

import httpx
import yaml

from contracts.config import budget, live_target
from contracts.engine.context import load_spec
from contracts.engine.facts import documented_facts, fact_evidence
from contracts.engine.replay import ReplayFinding, check_recorded, compare_fake
from contracts.engine.runner import VendorRun
from contracts.report.history import CHECKED, HistoryNote, build_report, load_history, save_history, write_atomic
from contracts.report.ledger import VendorFacts, render_ledger
from contracts.report.merge import merge_runs, read_report
from contracts.report.model import RunReport, State
from contracts.report.render import write_reports
from contracts.spec.conformance import ObservedResponse
from contracts.spec.document import Spec
from contracts.spec.overlay import Persisting, propose
from contracts.transport.cassette import CassetteError, read_cassette, to_har, write_cassette
from contracts.transport.client import Exchange
from contracts.transport.targets import FAKE_LIMITS, Target, fake_target
from contracts.values.errors import ContractSuiteError
from contracts.values.model import FakeService, Vendor
from contracts.values.pseudonyms import Pseudonymizer
from contracts.values.redaction import Redactor, quarantine
from contracts.values.results import VendorResult
from contracts.vendors import VENDORS

TARGET_KINDS = ("fake", "live")


def cleanup_file(kind: str, out: Path) -> Path | None:
    """Where a ``kind`` run keeps its clean-up ledger: ``OUT/.cleanup-live.json`` for live vendors (so the next run
    deletes what a killed one left), None (in memory) for the in-process fakes, fresh each run."""
    return out / f".cleanup-{kind}.json" if kind == "live" else None


def select_target(vendor: Vendor, kind: str, *, env_file: Path | None, max_examples: int | None = None) -> Target:
    """The ``fake`` or ``live`` target for ``vendor``; raises ``ContractSuiteError`` for a setup problem."""
    spec = load_spec(vendor)
    if kind == "fake":
        target = fake_target(vendor.fake(), base_url=spec.server_url, limits=budget(FAKE_LIMITS, env_file))
    elif kind == "live":
        target = live_target(vendor, spec, env_file=env_file)
    else:
        raise ValueError(f"unknown target kind {kind!r}; expected one of {', '.join(TARGET_KINDS)}")
    return target.with_limits(max_examples=max_examples) if max_examples else target


def open_vendor_run(
    vendor: Vendor,
    kind: str,
    *,
    env_file: Path | None,
    redactor: Redactor,
    run_id: str,
    max_examples: int | None = None,
    on_target: Callable[[Target], None] | None = None,
    cleanup_file: Path | None = None,
) -> VendorRun:
    """``vendor``'s run against the ``kind`` target, its guard done: ready to run units, or stopped with why.

    ``cleanup_file`` is the clean-up ledger (``contracts/engine/cleanup.py``): what the run creates is written there
    at once and deleted at its end; what an earlier, killed run left there is deleted before the guard. None keeps
    it in memory (a fake, fresh each run, has nothing left over)."""
    try:
        target = select_target(vendor, kind, env_file=env_file, max_examples=max_examples)
    except ContractSuiteError as error:
        return VendorRun.not_started(vendor, kind, error)
    if on_target is not None:
        on_target(target)
    return VendorRun.start(vendor, target, redactor=redactor, run_id=run_id, cleanup_file=cleanup_file)


@dataclass(frozen=True)
class Published:
    """What ``publish`` wrote and found."""

    report: RunReport
    paths: dict[str, Path]
    """``markdown``, ``html``, ``json`` and ``history``, and ``overlay-<vendor>`` for each proposed spec patch."""
    history_note: HistoryNote | None
    leaks: list[tuple[Path, str]]
    """(file, variable) for every key found in what the run wrote; those files are now masked."""


def publish(
    results: Sequence[VendorResult],
    *,
    target: str,
    run_id: str,
    out: Path,
    redactor: Redactor,
    history_file: Path | None = None,
    also_scan: Iterable[Path] = (),
    spec_for: Callable[[str], Spec | None] | None = None,
    specs: Mapping[str, Mapping[str, str | None]] | None = None,
) -> Published:
    """Compare with the history, write drift.json/.md/.html and the overlays, save the history, and scan it all
    for keys. ``spec_for`` gives a vendor's spec by name (by default the spec of the vendor in ``VENDORS``);
    ``specs`` (recorded in drift.json) defaults to ``spec_fingerprints`` of every vendor of the suite."""
    history_file = history_file or out / f"history-{target}.json"
    history, note = load_history(history_file)
    report, updated = build_report(
        results,
        target=target,
        run_id=run_id,
        history=history,
        notes=[str(note)] if note is not None and note.belongs_in_report else [],
        specs=spec_fingerprints(VENDORS) if specs is None else specs,
    )
    overlays = write_overlays(report, results, out, spec_for or _vendor_spec)
    if overlays:
        report = replace(
            report,
            notes=(
                *report.notes,
                *(
                    f"{vendor}: persisting drift proposes {count} spec change{'s' if count != 1 else ''} in {path} "
                    "(an OpenAPI Overlay; review it, it is never applied automatically)"
                    for vendor, (path, count) in overlays.items()
                ),
            ),
        )
    paths = write_reports(report, out)
    paths.update({f"overlay-{vendor}": path for vendor, (path, _) in overlays.items()})
    save_history(history_file, updated)
    paths["history"] = history_file
    leaks = scan_for_leaks(redactor, [out, history_file, *also_scan])
    return Published(report=report, paths=paths, history_note=note, leaks=leaks)


def _vendor_spec(name: str) -> Spec | None:
    from contracts.vendors import get_vendor

    try:
        return load_spec(get_vendor(name))
    except (KeyError, ContractSuiteError):
        return None  # not one of ours (a test's vendor), or a spec that does not load: no overlay


def write_overlays(
    report: RunReport, results: Sequence[VendorResult], out: Path, spec_for: Callable[[str], Spec | None]
) -> dict[str, tuple[Path, int]]:
    """``out/overlay-<vendor>.yaml`` for each vendor whose persisting drift proposes spec changes: vendor -> (path,
    actions). A vendor whose run completed without any removes its old overlay; one that did not complete keeps it."""
    written: dict[str, tuple[Path, int]] = {}
    for result in results:
        path = out / f"overlay-{result.vendor}.yaml"
        spec = spec_for(result.vendor)
        if spec is None:
            continue
        mine = [item for item in report.findings if item.finding.vendor == result.vendor]
        document = propose(
            spec,
            result.vendor,
            [Persisting(item.finding, item.first_seen) for item in mine if item.state is State.PERSISTING],
            current=[item.finding for item in mine if item.state is not State.RESOLVED],
            version=report.generated_at,
            extends=Path(os.path.relpath(Path(spec.source).resolve(), out.resolve())).as_posix(),
        )
        if document is None:
            if result.status in CHECKED:
                path.unlink(missing_ok=True)
            continue
        write_atomic(path, yaml.safe_dump(document, sort_keys=False, allow_unicode=True, width=120))
        written[result.vendor] = (path, len(document["actions"]))
    return written


def spec_fingerprints(vendors: Iterable[Vendor]) -> dict[str, dict[str, str | None]]:
    """vendor -> its spec's ``info.version`` and the SHA-256 of its file (None for what cannot be read)."""
    fingerprints: dict[str, dict[str, str | None]] = {}
    for vendor in vendors:
        try:
            digest: str | None = hashlib.sha256(vendor.spec_path.read_bytes()).hexdigest()
        except OSError:
            digest = None
        try:
            version = load_spec(vendor).raw.get("info", {}).get("version")
        except ContractSuiteError:
            version = None
        fingerprints[vendor.name] = {"version": None if version is None else str(version), "sha256": digest}
    return fingerprints


def merge_reports(
    inputs: Sequence[Path],
    *,
    vendors: Sequence[Vendor],
    target: str | None,
    out: Path,
    redactor: Redactor,
    history_file: Path | None = None,
) -> Published:
    """Publish the ``drift.json`` files of runs split by vendor as one run over ``vendors``.

    Every input is read and checked first (``report.merge``: one format version, one target, this
    checkout's specs, each vendor once); a ``ReportInputError`` (one line, naming the file) leaves
    everything as it was. Then the results are published like any run's: against the history at
    ``history_file`` (default OUT/history-TARGET.json), with the leak scan.
    """
    reports = [read_report(path) for path in inputs]
    specs = spec_fingerprints(VENDORS)
    kind, results = merge_runs(reports, vendors=[(v.name, v.title) for v in vendors], target=target, specs=specs)
    return publish(
        results,
        target=kind,
        run_id=uuid.uuid4().hex[:12],
        out=out,
        redactor=redactor,
        history_file=history_file,
        specs=specs,
    )


def scan_for_leaks(redactor: Redactor, paths: Iterable[Path]) -> list[tuple[Path, str]]:
    """Every configured key found in ``paths`` (files or folders), each such file masked in place."""
    existing = list(dict.fromkeys(path for path in paths if path.exists()))
    leaks = list(dict.fromkeys(redactor.scan(existing)))  # a file under two of the paths counts once
    if leaks:
        quarantine(redactor, leaks)
    return leaks


def facts_ledger(vendors: Iterable[Vendor]) -> str:
    """The facts ledger (``specs/FACTS.md``) for ``vendors``: every documented fact with its evidence."""
    sections = []
    for vendor in vendors:
        spec = load_spec(vendor)
        evidence = fact_evidence(vendor, spec, documented_facts(vendor, spec))
        sections.append(VendorFacts(name=vendor.name, title=vendor.title, evidence=evidence))
    return render_ledger(sections)


def record_cassette(run: VendorRun, directory: Path, *, pseudonyms: Pseudonymizer | None = None) -> Path | None:
    """Write ``run``'s exchanges as ``DIRECTORY/<vendor>.har`` (``contracts.transport.cassette``); None for a run
    that never got a target. The file is masked by the run's redactor; ``publish(also_scan=...)`` scans it."""
    if run.ctx is None:
        return None
    ctx = run.ctx
    text = to_har(
        ctx.vendor.name,
        list(ctx.client.exchanges),
        server_url=ctx.spec.server_url,
        target=ctx.target.name,
        redactor=ctx.redactor,
        pseudonyms=pseudonyms or Pseudonymizer(),
        run_id=ctx.run_id,
        ids={**ctx.target.variables, **({"lead_id": ctx.known_lead_id} if ctx.known_lead_id else {})},
    )
    return write_cassette(directory / f"{ctx.vendor.name}.har", text)


@dataclass
class Replayed:
    """What ``replay`` found over a set of cassettes."""

    findings: list[ReplayFinding] = field(default_factory=list)
    """Contract findings (errors and graded warnings) of the current specs, and the fakes' shape mismatches."""
    drift: int = 0
    checked: int = 0
    replayed: int = 0
    cassettes: list[str] = field(default_factory=list)

    @property
    def failed(self) -> bool:
        return any(item.finding.is_contract_failure for item in self.findings)


def fake_answer(vendor: Vendor, spec: Spec, fake: FakeService) -> Callable[[Exchange], ObservedResponse]:
    """Sends a recorded request to ``fake`` in process. Credentials were never recorded, so they are chosen by the
    recorded status: none for a 401, the fake's restricted key for a 403 (where it has one), else its key."""

    def answer(exchange: Exchange) -> ObservedResponse:
        headers = {name: value for name, value in exchange.request_headers.items() if name not in ("content-length",)}
        key = fake.restricted_key if exchange.status_code == 403 and fake.restricted_key else fake.api_key
        if exchange.status_code != 401:
            headers.update(spec.credential_headers(vendor.security_scheme, key))
        request = httpx.Request(exchange.method, exchange.url, headers=headers, content=exchange.request_body)
        response = fake.httpx_handler(request)
        headers_out = {name.lower(): value for name, value in response.headers.items()}
        return ObservedResponse(response.status_code, headers_out, response.read())

    return answer


def replay(
    paths: Sequence[Path],
    *,
    redactor: Redactor,
    fake_for: Callable[[Vendor], FakeService] | None = None,
    spec_for: Callable[[Vendor], Spec] = load_spec,
) -> Replayed:
    """Check the current specs against every cassette's recorded responses and the fakes against its recorded
    shapes (``contracts.engine.replay``). Every cassette is read (and refused: ``CassetteError``) before any check.
    ``fake_for`` builds the fake a vendor's requests are replayed on (default: ``vendor.fake()``, fresh each);
    ``spec_for`` gives the spec to check against (default: the vendor's spec as it is now)."""
    from contracts.vendors import KEY_PATTERNS, get_vendor

    files = [file for path in paths for file in (sorted(path.glob("*.har")) if path.is_dir() else [path])]
    cassettes = [read_cassette(file, redactor=redactor, patterns=KEY_PATTERNS) for file in files]
    vendors: dict[str, Vendor] = {}
    for cassette in cassettes:
        try:
            vendors[cassette.vendor] = get_vendor(cassette.vendor)
        except KeyError as error:
            raise CassetteError(cassette.path, f"is for an unknown vendor {cassette.vendor!r}") from error
    result = Replayed(cassettes=[str(cassette.path) for cassette in cassettes])
    for cassette in cassettes:
        vendor = vendors[cassette.vendor]
        spec = spec_for(vendor)
        findings, drift, checked = check_recorded(vendor, spec, cassette)
        fake = fake_for(vendor) if fake_for is not None else vendor.fake()
        own = {"lead_id": fake.known_lead_id, **fake.fixtures}
        ids = {recorded: own[name] for name, recorded in cassette.ids.items() if name in own and own[name] != recorded}
        mismatches, replayed = compare_fake(vendor, spec, cassette, fake_answer(vendor, spec, fake), ids=ids)
        result.findings.extend([*findings, *mismatches])
        result.drift += len(drift)
        result.checked += checked
        result.replayed += replayed
    return result
