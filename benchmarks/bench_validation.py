"""Response validation throughput on a recorded corpus: `.venv/bin/python -m benchmarks.bench_validation`.

Records at least 100,000 lead responses from the four vendors' fakes (creates with varied bodies, reads of
known and created leads, unknown ids, missing, wrong and restricted keys, invalid bodies, rate limiting), breaks
a known 2 % of them the way a vendor would (a required field dropped, a non-nullable one null, a bad uuid, email
or date-time, a wrong type, an undocumented enum value, a wrong content type) and caches the corpus under
benchmarks/.cache/, keyed by the fakes' and specs' source. Then measures, on that same corpus, responses per
second through:

* the findings engine: ``check_response`` with formats on, one ``CheckContext`` per operation;
* openapi-core's ``validate_response`` (on an evenly spaced sample: it is ~100x slower);
* bare jsonschema-rs: ``json.loads`` and ``is_valid`` on validators compiled per (operation, status), the ceiling;

and how many of the broken responses each one flagged. Timing lives here, never in tests.
"""

from __future__ import annotations

import argparse
import copy
import gzip
import hashlib
import json
import random
import statistics
import string
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

import jsonschema_rs
from openapi_core import OpenAPI
from openapi_core.exceptions import OpenAPIError
from openapi_core.testing import MockRequest, MockResponse

from benchmarks._common import machine
from contracts.fakes._core import FakeRequest, FakeResponse, FakeVendor, RateLimit
from contracts.fakes.aura import AuraFake
from contracts.fakes.dialnexa import DialNexaFake
from contracts.fakes.nexor import NexorFake
from contracts.fakes.pollybot import PollyBotFake
from contracts.spec.conformance import CheckContext, ObservedResponse, check_response
from contracts.spec.document import Spec
from contracts.vendors import VENDORS

ROOT = Path(__file__).resolve().parent.parent
CACHE_DIR = ROOT / "benchmarks" / ".cache"
RECORDER_VERSION = "1"
"""Bump when the recorder below changes what it records (the corpus is re-recorded)."""
SOURCES = ("contracts/fakes/*.py", "specs/*.yaml")
"""What the corpus is recorded from: a change to any of these re-records it."""

FULL_SIZE = 100_000
QUICK_SIZE = 1_000
BROKEN_FRACTION = 0.02
OPENAPI_CORE_SAMPLE = 2_500
"""openapi-core is timed on this many evenly spaced responses (the whole corpus would take minutes a run)."""
SEED = 20260618
FRAGMENT_SAFE = "/~!$&'()*+,;=:@"
"""What a URI fragment may hold unescaped: a schema pointer below /paths holds "{id}", which it may not."""

ENGINE = "findings engine"
OPENAPI_CORE = "openapi-core 0.23.1"
BARE_RS = "bare jsonschema-rs"
CONTENT_TYPE_BREAK = "wrong content type"


# -- the corpus ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Record:
    vendor: str
    operation: str
    """The spec's label, e.g. ``GET /leads/{id}``."""
    method: str
    path: str
    """Below the vendor's server prefix, as the fake saw it."""
    status: int
    headers: dict[str, str]
    """Lower-cased names."""
    content: bytes
    broken: str | None = None
    """Which break was applied (None: as the fake served it)."""

    def to_json(self) -> dict[str, Any]:
        return {
            "vendor": self.vendor,
            "operation": self.operation,
            "method": self.method,
            "path": self.path,
            "status": self.status,
            "headers": self.headers,
            "content": self.content.decode("utf-8"),
            "broken": self.broken,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Record:
        return cls(
            vendor=data["vendor"],
            operation=data["operation"],
            method=data["method"],
            path=data["path"],
            status=data["status"],
            headers=data["headers"],
            content=data["content"].encode("utf-8"),
            broken=data["broken"],
        )


@dataclass(frozen=True)
class Corpus:
    records: list[Record]
    recorded_seconds: float
    from_cache: bool
    path: Path

    @property
    def broken(self) -> list[Record]:
        return [record for record in self.records if record.broken is not None]


def source_key(size: int) -> str:
    digest = hashlib.sha256(f"{RECORDER_VERSION}|{size}|{SEED}|{BROKEN_FRACTION}".encode())
    for pattern in SOURCES:
        for path in sorted(ROOT.glob(pattern)):
            digest.update(path.relative_to(ROOT).as_posix().encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def load_or_record(size: int, cache_dir: Path) -> Corpus:
    path = cache_dir / f"corpus-{size}-{source_key(size)}.jsonl.gz"
    if path.exists():
        with gzip.open(path, "rt", encoding="utf-8") as lines:
            meta = json.loads(next(lines))
            records = [Record.from_json(json.loads(line)) for line in lines]
        return Corpus(records, meta["recorded_seconds"], from_cache=True, path=path)
    started = time.perf_counter()
    records = record_corpus(size, random.Random(SEED))
    recorded_seconds = time.perf_counter() - started
    cache_dir.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".partial")
    with gzip.open(partial, "wt", encoding="utf-8") as out:
        out.write(json.dumps({"recorded_seconds": recorded_seconds, "size": len(records)}) + "\n")
        for record in records:
            out.write(json.dumps(record.to_json()) + "\n")
    partial.replace(path)
    return Corpus(records, recorded_seconds, from_cache=False, path=path)


# -- driving the fakes ---------------------------------------------------------------------------

FIRST_NAMES = ("Ana", "Carlos", "Priya", "John", "Mei", "Olu", "Sofía", "Lars", "Aiko", "Noor", "José", "Emma")
LAST_NAMES = ("Lopez", "Sharma", "Doe", "Chen", "Adeyemi", "Novak", "Berg", "Tanaka", "Haddad", "Smith")
COMPANIES = ("Acme Corp", "Globex", "Initech", "Umbrella", "Stark Industries", "Wayne Enterprises")


def pick(rng: random.Random, weighted: Sequence[tuple[int, Callable[[], FakeRequest]]]) -> FakeRequest:
    return rng.choices([make for _, make in weighted], weights=[weight for weight, _ in weighted])[0]()


def random_uuid(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def random_token(rng: random.Random, length: int, alphabet: str = string.ascii_lowercase + string.digits) -> str:
    return "".join(rng.choice(alphabet) for _ in range(length))


def timestamp(rng: random.Random) -> str:
    """A date-time as vendors write them: Z with or without milliseconds, or an offset."""
    seconds = rng.randint(1_700_000_000, 1_790_000_000)
    base = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(seconds))
    return rng.choice((f"{base}Z", f"{base}.{rng.randint(0, 999):03d}Z", f"{base}+00:00"))


def person(rng: random.Random, index: int) -> tuple[str, str, str]:
    first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
    local = f"{first}.{last}".lower().encode("ascii", "ignore").decode()
    return first, last, f"{local}.{index}@example.com"


def maybe(rng: random.Random, value: Any, null_share: float = 0.3) -> Any:
    return None if rng.random() < null_share else value


class Driver:
    """Sends one vendor's fake its documented requests, in realistic proportions.

    The read-only fakes are seeded with 300 more leads shaped like the docs' example (the way ``reset`` seeds
    the known one), so that reads return varied values rather than one body 20,000 times.
    """

    fake: FakeVendor

    def __init__(self, rng: random.Random, spec: Spec) -> None:
        self.rng = rng
        self.spec = spec

    def request(self) -> FakeRequest:
        raise NotImplementedError

    def auth(self, key: str | None) -> dict[str, str]:
        return {} if key is None else {"authorization": f"Bearer {key}"}

    def bad_key(self) -> str | None:
        """No key, an empty one or a wrong one: the documented 401s."""
        return self.rng.choice((None, "", self.fake.api_key[:-4] + "0000"))

    def get(self, path: str, key: str | None) -> FakeRequest:
        return FakeRequest("GET", path, self.auth(key), {})

    def serve(self) -> Record:
        request = self.request()
        response = self.handler(request).handle(request)
        operation = self.spec.match(request.method, request.path)
        if operation is None:  # pragma: no cover - the drivers only send documented operations
            raise RuntimeError(f"{self.fake.name}: {request.method} {request.path} is not in the spec")
        self.served(request, response)
        headers = {"content-type": response.content_type, **{k.lower(): v for k, v in response.headers.items()}}
        return Record(
            self.fake.name, operation.label, request.method, request.path, response.status, headers, response.encode()
        )

    def handler(self, request: FakeRequest) -> FakeVendor:
        return self.fake

    def served(self, request: FakeRequest, response: FakeResponse) -> None:
        """Hook: learn from a response (ids of created leads)."""


class NexorDriver(Driver):
    def __init__(self, rng: random.Random, spec: Spec) -> None:
        super().__init__(rng, spec)
        self.fake = NexorFake()
        self.ids = [self.fake.known_lead_id]
        self.index = 0

    def auth(self, key: str | None) -> dict[str, str]:
        return {} if key is None else {"x-api-key": key}

    def bad_key(self) -> str | None:
        return self.rng.choice((None, "", "nxr_live_" + "0" * 40))

    def request(self) -> FakeRequest:
        rng, key = self.rng, self.fake.api_key
        return pick(
            rng,
            [
                (30, lambda: self.post(self.create_body(), key)),
                (4, lambda: self.post(self.invalid_body(), key)),
                (50, lambda: self.get(f"/leads/{rng.choice(self.ids[-2000:])}", key)),
                (6, lambda: self.get(f"/leads/{rng.choice((random_uuid(rng), 'not-a-uuid'))}", key)),
                (5, lambda: self.get(f"/leads/{rng.choice(self.ids)}", self.bad_key())),
                (5, lambda: self.post(self.create_body(), self.bad_key())),
            ],
        )

    def post(self, body: Any, key: str | None) -> FakeRequest:
        raw = body if isinstance(body, bytes) else json.dumps(body).encode()
        return FakeRequest("POST", "/leads", {**self.auth(key), "content-type": "application/json"}, {}, raw)

    def create_body(self) -> dict[str, Any]:
        rng = self.rng
        self.index += 1
        first, last, email = person(rng, self.index)
        body: dict[str, Any] = {"first_name": first}
        if rng.random() < 0.8:
            body["last_name"] = last
        if rng.random() < 0.8:
            body["email"] = email
        if rng.random() < 0.6:
            body["phone"] = f"+1555{rng.randint(1_000_000, 9_999_999)}"
        if rng.random() < 0.4:
            body["metadata"] = {"edad": rng.randint(18, 80), "estado_lead": rng.choice(("nuevo", "calificado"))}
        if rng.random() < 0.3:
            body["broker"] = rng.choice(LAST_NAMES)  # not a core column: mapped into metadata
        if rng.random() < 0.3:
            body["workflow_id"] = rng.choice((self.fake.fixtures["workflow_id"], random_uuid(rng)))
        if rng.random() < 0.2:
            body["campaign_id"] = "5f0c6d1e-8a4b-4c1d-9e2f-3a4b5c6d7e8f"
        return body

    def invalid_body(self) -> Any:
        return self.rng.choice(
            (
                {"last_name": "Doe"},
                {"first_name": "Ana", "email": "not-an-email"},
                {"first_name": "Ana", "workflow_id": "uuid-of-workflow"},
                {"first_name": "Ana", "force_first_message": {"text": "Hola"}},
                [{"first_name": "Ana"}],
                b"{not json",
            )
        )

    def served(self, request: FakeRequest, response: FakeResponse) -> None:
        if request.method == "POST" and response.status in (200, 201):
            self.ids.append(response.body["lead"]["id"])


class PollyBotDriver(Driver):
    def __init__(self, rng: random.Random, spec: Spec) -> None:
        super().__init__(rng, spec)
        self.fake = PollyBotFake()
        self.limited = PollyBotFake(rate_limit=RateLimit(limit=0, window=60))
        known = self.fake.leads[self.fake.known_lead_id]
        for index in range(300):
            lead_id = f"lead_{random_token(rng, 16, string.hexdigits[:16])}"
            first, last, email = person(rng, index)
            self.fake.leads[lead_id] = {
                **copy.deepcopy(known),
                "id": lead_id,
                "name": f"{first} {last}",
                "email": email,
                "phone": maybe(rng, f"+1-555-{rng.randint(100, 999)}-{rng.randint(1000, 9999)}"),
                "source": maybe(rng, rng.choice(("website", "import", "api", "chat"))),
                "status": rng.choice(("new", "contacted", "qualified", "converted", "lost", "follow_up")),
                "createdAt": timestamp(rng),
                "updatedAt": timestamp(rng),
            }
        self.ids = list(self.fake.leads)

    def request(self) -> FakeRequest:
        rng, key = self.rng, self.fake.api_key
        return pick(
            rng,
            [
                (75, lambda: self.get(f"/api/v1/leads/{rng.choice(self.ids)}", key)),
                (8, lambda: self.get(f"/api/v1/leads/lead_{random_token(rng, 12)}", key)),
                (5, lambda: self.get(f"/api/v1/leads/{rng.choice(('invalid-id', 'lead-42', 'LEAD_x!'))}", key)),
                (8, lambda: self.get(f"/api/v1/leads/{rng.choice(self.ids)}", self.bad_key())),
                (4, lambda: FakeRequest("GET", f"/api/v1/leads/{self.ids[0]}", self.auth(key), {"limited": "1"})),
            ],
        )

    def handler(self, request: FakeRequest) -> FakeVendor:
        """The requests marked ``limited`` go to a fake whose rate limit is spent: its documented 429."""
        return self.limited if request.query.get("limited") else self.fake


class DialNexaDriver(Driver):
    def __init__(self, rng: random.Random, spec: Spec) -> None:
        super().__init__(rng, spec)
        self.fake = DialNexaFake()
        known = self.fake.leads[self.fake.known_lead_id]
        for index in range(300):
            lead_id = f"lead_{random_token(rng, 12)}"
            status = rng.choice(("pending", "in_progress", "completed", "failed", "removed"))
            self.fake.leads[lead_id] = {
                **copy.deepcopy(known),
                "id": lead_id,
                "name": " ".join(person(rng, index)[:2]),
                "phone_number": f"+9198{rng.randint(10_000_000, 99_999_999)}",
                "campaign_id": f"cmp_{random_token(rng, 12)}",
                "status": status,
                "notes": {"loan_amount": str(rng.randint(1, 99) * 10_000), "product": rng.choice(("home", "car"))},
                "call_log_id": f"log_{random_token(rng, 8)}" if status in ("completed", "failed") else None,
                "created_at": timestamp(rng),
            }
        self.ids = list(self.fake.leads)

    def request(self) -> FakeRequest:
        rng, fake = self.rng, self.fake
        return pick(
            rng,
            [
                (80, lambda: self.get(f"/campaigns-leads/{rng.choice(self.ids)}", fake.api_key)),
                (6, lambda: self.get(f"/campaigns-leads/lead_{random_token(rng, 12)}", fake.api_key)),
                (6, lambda: self.get(f"/campaigns-leads/{rng.choice(self.ids)}", fake.restricted_key)),
                (8, lambda: self.get(f"/campaigns-leads/{rng.choice(self.ids)}", self.bad_key())),
            ],
        )


class AuraDriver(Driver):
    def __init__(self, rng: random.Random, spec: Spec) -> None:
        super().__init__(rng, spec)
        self.fake = AuraFake()
        known = self.fake.leads[self.fake.known_lead_id]
        for index in range(300):
            lead_id = random_uuid(rng)
            first, last, email = person(rng, index)
            paid = rng.random() < 0.5
            notes = [
                {
                    "content": rng.choice(("Call back", "Sent deck", "No answer")),
                    "created_at": timestamp(rng),
                    "user_id": f"user_{random_token(rng, 4)}",
                }
                for _ in range(rng.randint(0, 3))
            ]
            self.fake.leads[lead_id] = {
                **copy.deepcopy(known),
                "id": lead_id,
                "full_name": maybe(rng, f"{first} {last}"),
                "email": email,
                "company": maybe(rng, rng.choice(COMPANIES)),
                "phone": maybe(rng, f"+1415555{rng.randint(1000, 9999)}"),
                "timezone": maybe(rng, rng.choice(("America/New_York", "Europe/Madrid", "Asia/Tokyo"))),
                "created_at": timestamp(rng),
                "updated_at": timestamp(rng),
                "last_payment_at": timestamp(rng) if paid else None,
                "payment_status": "paid" if paid else None,
                "payment_count": rng.randint(1, 5) if paid else 0,
                "total_paid_cents": rng.randint(1, 500) * 100 if paid else 0,
                "status": rng.choice(("new", "new", "contacted", "qualified")),
                "notes": notes,
            }
            if rng.random() < 0.6:
                self.fake.leads[lead_id]["disqualification_data"] = None
        self.ids = list(self.fake.leads)

    def request(self) -> FakeRequest:
        rng, key = self.rng, self.fake.api_key
        return pick(
            rng,
            [
                (80, lambda: self.get(f"/v1/leads/{rng.choice(self.ids)}", key)),
                (10, lambda: self.get(f"/v1/leads/{random_uuid(rng)}", key)),
                (10, lambda: self.get(f"/v1/leads/{rng.choice(self.ids)}", self.bad_key())),
            ],
        )


# -- breaking a known fraction ---------------------------------------------------------------------

Break = tuple[str, str, str, Any]
"""(name, what, pointer, value): what is ``drop``, ``null``, ``set`` (to value) or ``edit`` (value(old))."""


def drop(pointer: str) -> Break:
    return ("required field dropped", "drop", pointer, None)


def null(pointer: str) -> Break:
    return ("non-nullable field null", "null", pointer, None)


def bad(fmt: str, pointer: str) -> list[Break]:
    breaks: dict[str, list[Break]] = {
        "uuid": [
            ("uuid without hyphens", "set", pointer, "123e4567e89b12d3a456426614174000"),
            ("uuid in braces", "edit", pointer, lambda old: f"{{{old}}}"),
        ],
        "email": [
            ("email without domain", "set", pointer, "jane.doe@"),
            ("email without @", "set", pointer, "jane.doe.example.com"),
        ],
        "date-time": [
            ("date-time without offset", "set", pointer, "2026-02-10T12:00:00"),
            ("date-time with a space", "edit", pointer, lambda old: str(old).replace("T", " ", 1)),
        ],
    }
    return breaks[fmt]


def wrong_type(pointer: str, value: Any) -> Break:
    return ("wrong type", "set", pointer, value)


def enum(pointer: str, value: Any) -> Break:
    return ("undocumented enum value", "set", pointer, value)


NEXOR_LEAD = [drop("/source"), null("/first_name"), *bad("uuid", "/id"), *bad("email", "/email")]
NEXOR_LEAD += [*bad("date-time", "/created_at"), wrong_type("/metadata", ["edad", 35])]
NEXOR_ERROR = [drop("/message"), wrong_type("/error", 401), null("/message")]
POLLYBOT_ERROR = [enum("/success", True), drop("/code"), wrong_type("/error", {"message": "nope"})]
DIALNEXA_ERROR = [drop("/error"), wrong_type("/statusCode", "404"), null("/message")]
AURA_ERROR = [enum("/success", True), drop("/requestId"), wrong_type("/code", 404)]

BREAKS: dict[tuple[str, int], list[Break]] = {
    ("nexor GET /leads/{id}", 200): [*NEXOR_LEAD, wrong_type("/activeWorkflowRun", "running")],
    ("nexor GET /leads/{id}", 401): NEXOR_ERROR,
    ("nexor GET /leads/{id}", 404): [enum("/error", "Not found"), drop("/error")],
    ("nexor POST /leads", 201): [
        *[(name, what, f"/lead{pointer}", value) for name, what, pointer, value in NEXOR_LEAD],
        enum("/success", False),
    ],
    ("nexor POST /leads", 400): NEXOR_ERROR,
    ("nexor POST /leads", 401): NEXOR_ERROR,
    ("pollybot GET /api/v1/leads/{leadId}", 200): [
        enum("/data/status", "archived"),
        *bad("email", "/data/email"),
        *bad("date-time", "/data/createdAt"),
        drop("/data/workspaceId"),
        null("/data/name"),
        wrong_type("/data/metadata", "utm_source=google"),
        ("id not matching its pattern", "set", "/data/id", "lead-1234"),
    ],
    ("pollybot GET /api/v1/leads/{leadId}", 400): [*POLLYBOT_ERROR, enum("/code", "INVALID_ID")],
    ("pollybot GET /api/v1/leads/{leadId}", 401): POLLYBOT_ERROR,
    ("pollybot GET /api/v1/leads/{leadId}", 404): [*POLLYBOT_ERROR, enum("/code", "NOT_FOUND")],
    ("pollybot GET /api/v1/leads/{leadId}", 429): POLLYBOT_ERROR,
    ("dialnexa GET /campaigns-leads/{id}", 200): [
        enum("/status", "archived"),
        *bad("date-time", "/created_at"),
        drop("/campaign_id"),
        null("/name"),
        wrong_type("/notes", "loan_amount=250000"),
    ],
    ("dialnexa GET /campaigns-leads/{id}", 401): [*DIALNEXA_ERROR, enum("/statusCode", 400)],
    ("dialnexa GET /campaigns-leads/{id}", 403): [*DIALNEXA_ERROR, enum("/statusCode", 401)],
    ("dialnexa GET /campaigns-leads/{id}", 404): [*DIALNEXA_ERROR, enum("/statusCode", 410)],
    ("aura GET /v1/leads/{id}", 200): [
        *bad("uuid", "/data/id"),
        *bad("email", "/data/email"),
        *bad("date-time", "/data/created_at"),
        drop("/data/status"),
        null("/data/email"),
        wrong_type("/data/payment_count", "1"),
        enum("/success", False),
    ],
    ("aura GET /v1/leads/{id}", 401): AURA_ERROR,
    ("aura GET /v1/leads/{id}", 404): [*AURA_ERROR, enum("/code", "LEAD_NOT_FOUND")],
}


def _parts(pointer: str) -> list[str]:
    return [part.replace("~1", "/").replace("~0", "~") for part in pointer.split("/")[1:]]


def apply_break(body: Any, brk: Break) -> bool:
    """Apply a break in place; False when the body has nothing at its pointer to break."""
    _, what, pointer, value = brk
    *parents, last = _parts(pointer)
    node = body
    for part in parents:
        if not isinstance(node, dict) or not isinstance(node.get(part), dict):
            return False
        node = node[part]
    if not isinstance(node, dict) or last not in node:
        return False
    if what == "drop":
        del node[last]
    elif what == "null":
        if node[last] is None:
            return False
        node[last] = None
    elif what == "edit":
        if node[last] is None:
            return False
        node[last] = value(node[last])
    else:
        node[last] = copy.deepcopy(value)
    return True


def break_some(records: list[Record], rng: random.Random) -> list[Record]:
    """Break BROKEN_FRACTION of the records, each in one way that its documented response does not allow."""
    chosen = rng.sample(range(len(records)), round(len(records) * BROKEN_FRACTION))
    result = list(records)
    for index in chosen:
        record = result[index]
        if rng.random() < 0.12:
            headers = {**record.headers, "content-type": rng.choice(("text/html; charset=utf-8", "text/plain"))}
            result[index] = replace(record, headers=headers, broken=CONTENT_TYPE_BREAK)
            continue
        candidates = list(BREAKS.get((f"{record.vendor} {record.operation}", record.status), []))
        rng.shuffle(candidates)
        for brk in candidates:
            body = json.loads(record.content)
            if apply_break(body, brk):
                content = json.dumps(body).encode()
                result[index] = replace(record, content=content, broken=brk[0])
                break
        else:  # nothing in this body to break: the wrong content type always applies
            headers = {**record.headers, "content-type": "text/html; charset=utf-8"}
            result[index] = replace(record, headers=headers, broken=CONTENT_TYPE_BREAK)
    return result


def record_corpus(size: int, rng: random.Random) -> list[Record]:
    specs = load_specs()
    drivers: list[tuple[int, Driver]] = [
        (40, NexorDriver(rng, specs["nexor"])),
        (20, PollyBotDriver(rng, specs["pollybot"])),
        (20, DialNexaDriver(rng, specs["dialnexa"])),
        (20, AuraDriver(rng, specs["aura"])),
    ]
    weights = [weight for weight, _ in drivers]
    records = [rng.choices([driver for _, driver in drivers], weights)[0].serve() for _ in range(size)]
    return break_some(records, rng)


def load_specs() -> dict[str, Spec]:
    return {vendor.name: Spec.load(vendor.spec_path) for vendor in VENDORS}


# -- the three implementations -------------------------------------------------------------------


@dataclass
class Result:
    name: str
    rates: list[float]
    measured: int
    """How many responses each timed run went through."""
    flagged_broken: Counter[str]
    """Per break name: how many broken responses it flagged."""
    flagged_clean: int
    """Responses served as they were that it flagged anyway (false alarms)."""
    clean_seen: int
    note: str = ""


@dataclass(frozen=True)
class Implementation:
    name: str
    prepare: Callable[[Record], Any]
    """The per-response objects the validator takes, built before timing (a transport would hand them over)."""
    check: Callable[[Any], bool]
    """True when it flags the prepared response."""
    note: str = ""


def engine(specs: dict[str, Spec]) -> Implementation:
    contexts = {
        (name, operation.label): CheckContext(vendor=name, spec=spec, operation=operation, source="bench", example={})
        for name, spec in specs.items()
        for operation in spec.operations
    }

    def prepare(record: Record) -> tuple[CheckContext, ObservedResponse]:
        response = ObservedResponse(record.status, record.headers, record.content)
        return contexts[record.vendor, record.operation], response

    def check(item: tuple[CheckContext, ObservedResponse]) -> bool:
        return bool(check_response(*item))

    return Implementation(ENGINE, prepare, check)


def openapi_core(specs: dict[str, Spec], note: str = "") -> Implementation:
    apis = {name: OpenAPI.from_dict(copy.deepcopy(spec.raw)) for name, spec in specs.items()}
    servers = {name: urlsplit(spec.server_url) for name, spec in specs.items()}

    def prepare(record: Record) -> tuple[OpenAPI, MockRequest, MockResponse]:
        server = servers[record.vendor]
        request = MockRequest(f"{server.scheme}://{server.netloc}", record.method, server.path + record.path)
        content_type = record.headers.get("content-type", "")
        response = MockResponse(record.content, record.status, record.headers, content_type=content_type)
        return apis[record.vendor], request, response

    def check(item: tuple[OpenAPI, MockRequest, MockResponse]) -> bool:
        api, request, response = item
        try:
            api.validate_response(request, response)
        except OpenAPIError:
            return True
        return False

    return Implementation(OPENAPI_CORE, prepare, check, note)


def bare_rs(specs: dict[str, Spec]) -> Implementation:
    """json.loads and is_valid, nothing else: stock formats, no status, header or content-type checks."""
    compiled: dict[tuple[str, str, int], jsonschema_rs.Validator | None] = {}
    registries = {
        name: jsonschema_rs.Registry([(spec.uri, spec.raw)], draft=jsonschema_rs.Draft202012)
        for name, spec in specs.items()
    }

    def prepare(record: Record) -> tuple[jsonschema_rs.Validator | None, bytes]:
        key = (record.vendor, record.operation, record.status)
        if key not in compiled:  # once per (operation, status), before timing
            spec = specs[record.vendor]
            documented = spec.operation(record.operation).response_for(record.status)
            pointer = spec.response_schema_pointer(documented) if documented is not None else None
            compiled[key] = (
                None
                if pointer is None
                else jsonschema_rs.Draft202012Validator(
                    {"$ref": f"{spec.uri}#{quote(pointer, safe=FRAGMENT_SAFE)}"},
                    registry=registries[record.vendor],
                    validate_formats=True,
                )
            )
        return compiled[key], record.content

    def check(item: tuple[jsonschema_rs.Validator | None, bytes]) -> bool:
        validator, content = item
        if validator is None:
            return False
        try:
            return not validator.is_valid(json.loads(content))
        except ValueError:
            return True

    return Implementation(BARE_RS, prepare, check, "body only: no status, header or content-type checks")


def measure(implementation: Implementation, timed: Sequence[Record], everything: Sequence[Record], runs: int) -> Result:
    """Time ``runs`` passes over ``timed``, then see which of the broken responses in ``everything`` it flags.

    Before timing: every response prepared, and one of each (operation, status, broken or not) checked, so
    that whatever an implementation compiles per schema is compiled; the runs measure checking alone.
    """
    items = [implementation.prepare(record) for record in timed]
    warmed = set()
    for record, item in zip(timed, items, strict=True):
        group = (record.vendor, record.operation, record.status, record.broken is None)
        if group not in warmed:
            warmed.add(group)
            implementation.check(item)
    rates, flags = [], []
    for _ in range(runs):
        started = time.perf_counter()
        flags = [implementation.check(item) for item in items]
        rates.append(len(items) / (time.perf_counter() - started))
    flagged = {id(record): flag for record, flag in zip(timed, flags, strict=True)}
    flagged_broken: Counter[str] = Counter()
    for record in everything:
        if record.broken is None:
            continue
        if id(record) not in flagged:  # outside the timed sample
            flagged[id(record)] = implementation.check(implementation.prepare(record))
        flagged_broken[record.broken] += flagged[id(record)]
    clean = [flagged[id(record)] for record in timed if record.broken is None]
    return Result(implementation.name, rates, len(items), flagged_broken, sum(clean), len(clean), implementation.note)


def openapi_core_formats(specs: dict[str, Spec]) -> str:
    """Whether openapi-core really checks uuid, date-time and email, probed on a Nexor lead."""
    nexor = NexorFake()
    served = nexor.handle(FakeRequest("GET", f"/leads/{nexor.known_lead_id}", {"x-api-key": nexor.api_key}, {}))
    validator = openapi_core(specs)
    verdicts = []
    for fmt, field, value in (
        ("uuid", "id", "123e4567e89b12d3a456426614174000"),
        ("date-time", "created_at", "2026-02-10T12:00:00"),
        ("email", "email", "jane.doe.example.com"),
        ("email", "email", "jane.doe@"),
    ):
        content = json.dumps({**served.body, field: value}).encode()
        path = f"/leads/{nexor.known_lead_id}"
        record = Record("nexor", "GET /leads/{id}", "GET", path, 200, {"content-type": "application/json"}, content)
        flagged = validator.check(validator.prepare(record))
        verdicts.append(f"{fmt} {value!r} {'rejected' if flagged else 'ACCEPTED'}")
    return "; ".join(verdicts)


# -- the report ----------------------------------------------------------------------------------


def print_table(results: Sequence[Result], broken: Counter[str]) -> None:
    ceiling = statistics.median(next(r for r in results if r.name == BARE_RS).rates)
    total_broken = sum(broken.values())
    print(
        f"\n  {'implementation':<22} {'responses/s':>12} {'min–max':>21} {'vs bare rs':>10} "
        f"{'broken flagged':>15} {'clean flagged':>14}"
    )
    for result in results:
        median = statistics.median(result.rates)
        flagged = sum(result.flagged_broken.values())
        spread = f"{min(result.rates):,.0f}–{max(result.rates):,.0f}"
        print(
            f"  {result.name:<22} {median:>12,.0f} {spread:>21} {ceiling / median:>9.1f}x "
            f"{f'{flagged}/{total_broken}':>15} {f'{result.flagged_clean}/{result.clean_seen}':>14}"
            + (f"   ({result.note})" if result.note else "")
        )
    print("\n  Broken responses flagged, per break:")
    print(f"    {'break':<30} {'count':>6}" + "".join(f" {r.name[:20]:>20}" for r in results))
    for name, count in sorted(broken.items()):
        flags = [r.flagged_broken[name] for r in results]
        mark = "" if all(flag == count for flag in flags) else "   <- not all flagged"
        print(f"    {name:<30} {count:>6}" + "".join(f" {flag:>20}" for flag in flags) + mark)


KNOWN_MISSES = {
    (OPENAPI_CORE, "email without domain"): 'its email check (jsonschema\'s) only looks for an "@"',
    (BARE_RS, CONTENT_TYPE_BREAK): "it only validates the body",
}
"""Why an implementation misses a kind of break, where the reason is known."""


def print_disagreements(results: Sequence[Result], broken: Counter[str]) -> None:
    misses = [
        (result.name, name, count - result.flagged_broken[name])
        for result in results
        for name, count in sorted(broken.items())
        if result.flagged_broken[name] < count
    ]
    false_alarms = [result for result in results if result.flagged_clean]
    if not misses and not false_alarms:
        print("\nSanity: every implementation flagged every broken response and nothing else.")
        return
    print("\nDisagreements:")
    for implementation, name, missed in misses:
        reason = KNOWN_MISSES.get((implementation, name), "UNEXPECTED")
        print(f"  {implementation} missed {missed} '{name}': {reason}")
    for result in false_alarms:
        print(f"  {result.name} flagged {result.flagged_clean} responses served as they were: UNEXPECTED")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--quick", action="store_true", help=f"a {QUICK_SIZE:,}-response corpus (smoke test)")
    parser.add_argument("--runs", type=int, default=5, help="timed runs per implementation (median reported)")
    parser.add_argument("--size", type=int, default=None, help=f"corpus size (default {FULL_SIZE:,})")
    parser.add_argument("--openapi-core-sample", type=int, default=OPENAPI_CORE_SAMPLE)
    parser.add_argument("--cache-dir", type=Path, default=CACHE_DIR)
    args = parser.parse_args(argv)
    size = args.size or (QUICK_SIZE if args.quick else FULL_SIZE)

    print(f"Response validation throughput ({machine()})")
    started = time.perf_counter()
    corpus = load_or_record(size, args.cache_dir)
    broken = Counter(record.broken for record in corpus.broken if record.broken is not None)
    how = f"loaded in {time.perf_counter() - started:.1f} s from" if corpus.from_cache else "written to"
    print(
        f"Corpus: {len(corpus.records):,} responses from the fakes ({vendor_mix(corpus.records)}), "
        f"{sum(broken.values()):,} broken; recording took {corpus.recorded_seconds:.1f} s; {how} {corpus.path}"
    )
    specs = load_specs()
    print(f"openapi-core's format checks, on a Nexor lead: {openapi_core_formats(specs)}")
    stride = max(1, len(corpus.records) // max(1, args.openapi_core_sample))
    sample = corpus.records[::stride]
    sampled = f"timed on {len(sample):,} responses, one in every {stride}" if stride > 1 else ""
    results = [
        measure(engine(specs), corpus.records, corpus.records, args.runs),
        measure(openapi_core(specs, sampled), sample, corpus.records, args.runs),
        measure(bare_rs(specs), corpus.records, corpus.records, args.runs),
    ]
    print(
        f"Median of {args.runs} run(s), each validator compiled beforehand; 'vs bare rs' is how many times slower; "
        "flagged: broken responses it reported, and responses served as they were that it reported."
    )
    print_table(results, broken)
    print_disagreements(results, broken)
    return 0


def vendor_mix(records: Iterable[Record]) -> str:
    counts = Counter(record.vendor for record in records)
    statuses = Counter(record.status for record in records)
    mix = ", ".join(f"{name} {count:,}" for name, count in counts.most_common())
    return f"{mix}; statuses " + ", ".join(f"{status}: {count:,}" for status, count in sorted(statuses.items()))


if __name__ == "__main__":
    raise SystemExit(main())
