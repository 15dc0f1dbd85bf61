"""The clean-up ledger: every record a run creates is written down at once, and deleted through the vendor's
documented delete at the end of the run (and, for a run that was killed, at the start of the next one).

* **Recording** (``CleanupLedger.record_created``, the client's ``on_response`` hook): a 2xx to an operation of
  ``Vendor.created_id_pointers`` appends ``{vendor, operation, id, run_id, created_at, marker}`` to the ledger
  as soon as the response is in. A ledger with a file (``cleanup_file``; ``contracts drift --target live``
  keeps ``<out>/.cleanup-live.json``) rewrites it atomically on every change, so a run killed halfway has
  already written down what it made; without a file the ledger lives in memory, for that run only.
* **Cleaning** (``clean_up``): each ledger record of the run's vendor is deleted with the documented delete its
  creating operation names in ``Vendor.cleanup``, through the run's own ``VendorClient`` (so it needs writes,
  counts against the budget and is redacted and logged like every request). A 2xx, or a 404 the delete
  documents (already gone), takes it off the ledger. Anything else leaves it there, listed with why: writes
  not allowed, no documented delete, a fault, an undocumented status. The configured known lead
  (``V_LEAD_ID``) is never deleted, even when it is in the ledger by mistake; nothing outside the ledger is
  ever deleted.
"""

from __future__ import annotations

import fcntl
import json
import os
import re
import tempfile
import threading
from collections.abc import Collection, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

import jsonpointer

from contracts.transport.client import Exchange
from contracts.values.errors import ConfigError, ContractSuiteError, VendorFault
from contracts.values.model import Capability, Credentials, Vendor
from contracts.values.results import Cleanup

if TYPE_CHECKING:
    from contracts.engine.context import RunContext

LEDGER_FORMAT = "contracts-cleanup-ledger"
LEDGER_VERSION = 1
_PLACEHOLDER = re.compile(r"\{\w+\}")


@dataclass(frozen=True, kw_only=True)
class LedgerRecord:
    """A record a run created and has not deleted yet."""

    vendor: str
    operation: str
    """The operation that created it (a key of ``Vendor.created_id_pointers``)."""
    id: str
    run_id: str
    created_at: str
    marker: str = ""
    """The run marker its request carried (``contracts-<run id>``), or empty when the body had none."""


class CleanupLedger:
    """The records created and not yet deleted, kept in ``path`` (a JSON file) or, without one, in memory.

    The file is the truth: every change reads it, changes it and writes it back atomically (a temporary file in
    the same folder, then a rename) under an exclusive lock on ``<path>.lock``, so processes sharing one ledger
    (pytest-xdist workers) lose no record."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._memory: list[LedgerRecord] = []
        if path is not None:
            self._load()  # an unreadable ledger stops the run before it creates anything

    def records(self, vendor: str | None = None) -> list[LedgerRecord]:
        if self.path is not None and not self.path.exists():
            return []  # nothing created yet: no lock file either
        with self._locked():
            return [record for record in self._load() if vendor is None or record.vendor == vendor]

    def add(self, record: LedgerRecord) -> None:
        with self._locked():
            records = self._load()
            if record not in records:
                self._save([*records, record])

    def remove(self, record: LedgerRecord) -> None:
        with self._locked():
            self._save([kept for kept in self._load() if kept != record])

    @contextmanager
    def _locked(self) -> Iterator[None]:
        with self._lock:
            if self.path is None:
                yield
                return
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with open(self.path.with_name(self.path.name + ".lock"), "a") as lock:
                fcntl.flock(lock, fcntl.LOCK_EX)
                try:
                    yield
                finally:
                    fcntl.flock(lock, fcntl.LOCK_UN)

    def _load(self) -> list[LedgerRecord]:
        if self.path is None:
            return list(self._memory)
        if not self.path.exists():
            return []
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
            if data.get("format") != LEDGER_FORMAT or data.get("version") != LEDGER_VERSION:
                raise ValueError(f"not a version {LEDGER_VERSION} {LEDGER_FORMAT}")
            return [LedgerRecord(**{key: str(value) for key, value in item.items()}) for item in data["records"]]
        except (OSError, ValueError, KeyError, TypeError, AttributeError) as error:
            raise ConfigError(
                f"the clean-up ledger {self.path} cannot be read ({error}); it lists records earlier runs created "
                "and did not delete: fix or move it"
            ) from error

    def _save(self, records: list[LedgerRecord]) -> None:
        if self.path is None:
            self._memory = records
            return
        text = json.dumps(
            {"format": LEDGER_FORMAT, "version": LEDGER_VERSION, "records": [asdict(r) for r in records]},
            indent=2,
            sort_keys=True,
        )
        handle, temporary = tempfile.mkstemp(dir=self.path.parent, prefix=f".{self.path.name}.", suffix=".tmp")
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as stream:
                stream.write(text + "\n")
            os.replace(temporary, self.path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise

    def record_created(self, vendor: Vendor, run_id: str, marker: str, exchange: Exchange) -> list[LedgerRecord]:
        """Write down the records a 2xx to a creating operation made (the client's ``on_response`` hook)."""
        pointer = vendor.created_id_pointers.get(exchange.operation or "")
        if not pointer or exchange.retried or not exchange.status_code or not 200 <= exchange.status_code < 300:
            return []
        try:
            document = exchange.json()
        except ValueError:
            return []
        body = exchange.request_json()
        marker_at = vendor.marker_pointer.get(exchange.operation or "")
        carried = (
            jsonpointer.resolve_pointer(body, marker_at, None) if marker_at is not None and body is not None else None
        )
        created_at = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        records = [
            LedgerRecord(
                vendor=vendor.name,
                operation=exchange.operation or "",
                id=record_id,
                run_id=run_id,
                created_at=created_at,
                marker=marker if isinstance(carried, dict) and marker in carried.values() else "",
            )
            for record_id in resolve_all(document, pointer)
            if isinstance(record_id, str) and record_id
        ]
        for record in records:
            self.add(record)
        return records


def resolve_all(document: Any, pointer: str) -> list[Any]:
    """Every value at ``pointer``, where a ``*`` segment stands for each member of an object or item of a list
    (``/data/*/*``: every id in ``{"data": {"+1555...": ["lead_1"]}}``); empty where nothing is there."""
    values = [document]
    for part in pointer.split("/")[1:] if pointer else []:
        part = part.replace("~1", "/").replace("~0", "~")
        found: list[Any] = []
        for value in values:
            if part == "*":
                if isinstance(value, dict):
                    found.extend(value.values())
                elif isinstance(value, list):
                    found.extend(value)
            elif isinstance(value, dict) and part in value:
                found.append(value[part])
            elif isinstance(value, list) and part.isdigit() and int(part) < len(value):
                found.append(value[int(part)])
        values = found
    return values


def clean_up(
    ctx: RunContext, ledger: CleanupLedger, *, protected: Collection[str] = (), earlier_only: bool = False
) -> Cleanup:
    """Delete every ledger record of ``ctx``'s vendor through its documented delete (see the module docstring);
    with ``earlier_only``, only those of earlier runs (a run's start: pytest-xdist workers share one run id).

    ``protected`` ids are never deleted, nor is the configured known lead."""
    never = {lead for lead in (ctx.target.lead_id, *protected) if lead}
    deleted = 0
    not_cleaned: list[dict[str, str]] = []
    for record in ledger.records(ctx.vendor.name):
        if earlier_only and record.run_id == ctx.run_id:
            continue
        reason = _delete(ctx, record, never)
        if reason is None:
            ledger.remove(record)
            deleted += 1
        else:
            item = {"vendor": record.vendor, "operation": record.operation, "id": record.id, "reason": reason}
            not_cleaned.append({key: ctx.redactor.scrub(value) for key, value in item.items()})
    return Cleanup(deleted=deleted, not_cleaned=tuple(not_cleaned))


def _delete(ctx: RunContext, record: LedgerRecord, never: Collection[str]) -> str | None:
    """Delete one record; None when it is gone, else why it is not."""
    if record.id in never:
        return "it is the run's known lead, which is never deleted"
    label = ctx.vendor.cleanup.get(record.operation)
    if label is None:
        return "not cleaned up: the vendor documents no delete"
    if not ctx.allows(Capability.WRITES):
        return f"writes are not allowed (set {ctx.vendor.env('ALLOW_WRITES')}=1)"
    operation = ctx.spec.operation(label)
    path = _PLACEHOLDER.sub(lambda _: quote(record.id, safe=""), operation.path, count=1)
    try:
        headers = ctx.credential_headers(Credentials.VALID)
        exchange = ctx.client.request(operation.method, path, headers=headers, source="cleanup")
    except (VendorFault, ContractSuiteError) as error:
        return f"{label} failed: {error}"
    status = exchange.status_code or 0
    if 200 <= status < 300:
        return None
    if status == 404 and operation.response_for(404) is not None:
        return None  # already gone, as the docs say a missing record is answered
    return f"{label} answered {status}" + ("" if operation.response_for(status) else " (undocumented)")
