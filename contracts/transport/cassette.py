"""Cassettes: a run's recorded vendor traffic, one HAR 1.2 file per vendor, safe to commit and to replay.

Format: `HAR 1.2 <http://www.softwareishard.com/blog/har-12-spec/>`_ (``log.version`` "1.2"), so any HAR viewer
opens it, with our own keys under ``_contracts`` (HAR's custom-field convention):

* ``log._contracts``: ``{"format": "contracts-cassette", "version": 1, "vendor": ..., "target": ..., "dropped":
  entries left out, "ids": {"lead_id": ..., <fixture>: ...}}`` (the records the run was pointed at); a reader
  refuses any other ``version`` (``CassetteError``);
* ``log.pages``: one page per operation (``id`` = ``"GET /leads/{id}"``, or ``"(undocumented)"``), each
  entry's ``pageref`` naming its operation;
* ``entries[i]._contracts``: ``operation``, ``path`` (the request path below the spec's server URL, as the
  client sent it), ``source`` (probe/scenario/unit that sent it), ``retried``/``attempt`` for a response the
  client retried after, ``error`` for a request that got no response, ``truncated`` when a body was cut.

What is written, and what is stable:

* **no key**: the exchanges are already masked by value by the run's ``Redactor`` (credential headers are never
  logged); the writer masks again and a reader refuses a cassette holding a configured key or anything that
  looks like one (``secret_in``: a bearer credential, a vendor's key format);
* **no person**: names, emails and phone numbers in request and response bodies and query strings are replaced
  by stable synthetic ones of the same format (``contracts.values.pseudonyms``);
* **bounded**: a body longer than ``MAX_BODY_CHARS`` characters is left out (``content.size`` keeps its length,
  ``_contracts.truncated`` is true; replay checks such a response's status and headers only); at most
  ``MAX_ENTRIES`` entries per cassette (the first ones, in run order: ``log._contracts.dropped`` counts the rest);
* **deterministic**: JSON with sorted keys and 2-space indent; the run's own id is written as ``RUN_ID``; the
  request headers our HTTP client adds by itself (``CLIENT_HEADERS``: user agent, host, testcase ids) and the
  ``Date`` response header are left out; every URL is rebased on the spec's server URL (a loopback
  ``contracts serve`` port, a per-workspace host never appear); ``startedDateTime`` is the epoch and every
  time and timing is 0; headers are sorted by name. The entries follow the run, which is itself deterministic
  (seeded), so re-recording the same night gives the same file **except** for what the vendor itself varies:
  ids it generates, timestamps and rate-limit reset times are kept as sent.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

from contracts.transport.client import Exchange
from contracts.values.errors import ContractSuiteError
from contracts.values.pseudonyms import Pseudonymizer
from contracts.values.redaction import Redactor

FORMAT = "contracts-cassette"
VERSION = 1
HAR_VERSION = "1.2"
MAX_BODY_CHARS = 16_384
MAX_ENTRIES = 2_000
EPOCH = "1970-01-01T00:00:00.000Z"
UNDOCUMENTED = "(undocumented)"
RUN_ID = "recorded0000"
"""What the run's own id (in its run marker and created emails) is written as, so re-recording gives the same file."""
CLIENT_HEADERS = frozenset(
    {"accept-encoding", "connection", "content-length", "host", "user-agent", "x-schemathesis-testcaseid"}
)
"""Request headers our HTTP client sets on its own (not what the suite asked for): left out of cassettes."""
SERVER_CLOCK_HEADERS = frozenset({"date"})
"""Response headers that only say when the server answered: left out, so that a re-recording is the same file."""
BEARER = re.compile(r"Bearer\s+(?!\[REDACTED\]|(?:realm|scope|error|error_description)=)[A-Za-z0-9._~+/=:-]{6,}")
"""A bearer credential that is not our mask: a key in any cassette, whatever vendor it is for (a
``WWW-Authenticate: Bearer realm="api"`` challenge is no credential)."""


class CassetteError(ContractSuiteError):
    """A cassette that cannot be replayed: corrupt, another format version, or holding a secret."""

    def __init__(self, path: Path, problem: str) -> None:
        super().__init__(f"{path}: {problem}")
        self.path = path


@dataclass(frozen=True)
class Cassette:
    """A cassette read back: its vendor and its exchanges, in recorded order (entry index = list index)."""

    path: Path
    vendor: str
    exchanges: list[Exchange]
    truncated: frozenset[int]
    """Indexes of the entries whose response body was left out (too long)."""
    ids: dict[str, str]
    """The records the run was pointed at: ``lead_id`` and the target's named fixtures (``log._contracts.ids``)."""


def _headers(headers: dict[str, str], leave_out: frozenset[str] = frozenset()) -> list[dict[str, str]]:
    return [{"name": name, "value": value} for name, value in sorted(headers.items()) if name not in leave_out]


def _body_text(content: bytes | None, pseudonyms: Pseudonymizer) -> str | None:
    if content is None:
        return None
    text = content.decode("utf-8", "replace")
    try:
        document = json.loads(text)
    except ValueError:
        return text
    return json.dumps(pseudonyms.value(document), ensure_ascii=False, separators=(",", ":"))


def _rebased(exchange: Exchange, server_url: str, pseudonyms: Pseudonymizer) -> tuple[str, list[dict[str, str]]]:
    """The request URL on the spec's server URL, its query values pseudonymised; and the query as HAR lists it."""
    pairs = parse_qsl(urlsplit(exchange.url).query, keep_blank_values=True)  # `?limit=` is a value sent, too
    query = [(name, pseudonyms.text(value, key=name)) for name, value in pairs]
    url = f"{server_url.rstrip('/')}{exchange.path.split('?')[0]}"
    if query:
        url = f"{url}?{urlencode(query)}"
    return url, [{"name": name, "value": value} for name, value in query]


def _content(text: str | None, mime: str) -> tuple[dict[str, Any], bool]:
    size = len(text or "")
    if text is not None and size > MAX_BODY_CHARS:
        return {"size": size, "mimeType": mime, "comment": f"body left out: over {MAX_BODY_CHARS} characters"}, True
    content: dict[str, Any] = {"size": size, "mimeType": mime}
    if text:
        content["text"] = text
    return content, False


def entry(exchange: Exchange, *, server_url: str, pseudonyms: Pseudonymizer) -> dict[str, Any]:
    """One exchange as a HAR entry (not yet masked: ``to_har`` masks the whole document)."""
    url, query = _rebased(exchange, server_url, pseudonyms)
    request_text = _body_text(exchange.request_body, pseudonyms)
    request: dict[str, Any] = {
        "method": exchange.method,
        "url": url,
        "httpVersion": "HTTP/1.1",
        "cookies": [],
        "headers": _headers(exchange.request_headers, CLIENT_HEADERS),
        "queryString": query,
        "headersSize": -1,
        "bodySize": len(request_text or ""),
    }
    if request_text is not None:
        request["postData"] = {
            "mimeType": exchange.request_headers.get("content-type", "application/octet-stream"),
            "text": request_text,
        }
    response_text = _body_text(exchange.content, pseudonyms) if exchange.status_code is not None else None
    content, truncated = _content(response_text, exchange.response_headers.get("content-type", ""))
    extra: dict[str, Any] = {"operation": exchange.operation, "path": exchange.path, "source": exchange.source}
    if exchange.retried:
        extra.update(retried=True, attempt=exchange.attempt)
    if exchange.error is not None:
        extra["error"] = exchange.error
    if truncated:
        extra["truncated"] = True
    return {
        "pageref": exchange.operation or UNDOCUMENTED,
        "startedDateTime": EPOCH,
        "time": 0,
        "request": request,
        "response": {
            "status": exchange.status_code or 0,
            "statusText": "",
            "httpVersion": "HTTP/1.1",
            "cookies": [],
            "headers": _headers(exchange.response_headers, SERVER_CLOCK_HEADERS),
            "content": content,
            "redirectURL": "",
            "headersSize": -1,
            "bodySize": content["size"],
        },
        "cache": {},
        "timings": {"send": 0, "wait": 0, "receive": 0},
        "_contracts": extra,
    }


def to_har(
    vendor: str,
    exchanges: Sequence[Exchange],
    *,
    server_url: str,
    target: str,
    redactor: Redactor,
    pseudonyms: Pseudonymizer | None = None,
    run_id: str | None = None,
    ids: Mapping[str, str] | None = None,
) -> str:
    """The cassette text for one vendor's exchanges: HAR 1.2, masked, pseudonymised, capped, deterministic.
    ``run_id`` (the run's own id, in its run marker and the emails of leads it created) is written as ``RUN_ID``;
    ``ids`` (``lead_id`` and the target's named fixtures: the records the run was pointed at) go in
    ``log._contracts.ids``, so that a replay can send the fake's own records' ids in their place."""
    pseudonyms = pseudonyms or Pseudonymizer()
    kept = [_without_run_id(exchange, run_id) for exchange in exchanges[:MAX_ENTRIES]]
    entries = [entry(exchange, server_url=server_url, pseudonyms=pseudonyms) for exchange in kept]
    pages = sorted({item["pageref"] for item in entries})
    document = {
        "log": {
            "version": HAR_VERSION,
            "creator": {"name": "vendor-contracts", "version": str(VERSION)},
            "pages": [{"id": page, "title": page, "startedDateTime": EPOCH, "pageTimings": {}} for page in pages],
            "entries": entries,
            "_contracts": {
                "format": FORMAT,
                "version": VERSION,
                "vendor": vendor,
                "target": target,
                "dropped": max(0, len(exchanges) - MAX_ENTRIES),
                "ids": dict(sorted((ids or {}).items())),
            },
        }
    }
    text = json.dumps(redactor.scrub_value(document), indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    return redactor.scrub(text)


def _without_run_id(exchange: Exchange, run_id: str | None) -> Exchange:
    if not run_id:
        return exchange
    body = exchange.request_body
    return replace(
        exchange,
        url=exchange.url.replace(run_id, RUN_ID),
        path=exchange.path.replace(run_id, RUN_ID),
        request_body=None if body is None else body.replace(run_id.encode(), RUN_ID.encode()),
        content=exchange.content.replace(run_id.encode(), RUN_ID.encode()),
    )


def write_cassette(path: Path, text: str) -> Path:
    """Write ``text`` to ``path`` atomically (a temporary file renamed over it)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    scratch = path.with_name(f".{path.name}.tmp")
    scratch.write_text(text, encoding="utf-8")
    scratch.replace(path)
    return path


def secret_in(text: str, redactor: Redactor, patterns: Iterable[re.Pattern[str]]) -> str | None:
    """What in ``text`` looks like a key (a configured one, a bearer credential, a vendor key format), or None."""
    if redactor.contains_secret(text):
        return "the value of a configured key"
    for pattern in (BEARER, *patterns):
        found = pattern.search(text)
        if found:
            return f"a value that looks like a key ({found.group(0)[:12]}...)"
    return None


def read_cassette(path: Path, *, redactor: Redactor, patterns: Iterable[re.Pattern[str]] = ()) -> Cassette:
    """Read a cassette back; ``CassetteError`` (one line naming the file) when it is corrupt, of another format
    version, or holds what looks like a key."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise CassetteError(path, f"cannot be read ({error.__class__.__name__})") from error
    leak = secret_in(text, redactor, patterns)
    if leak is not None:
        raise CassetteError(path, f"holds {leak}; refusing it (re-record it, or mask it)")
    try:
        log = json.loads(text)["log"]
        meta = log["_contracts"]
    except (ValueError, KeyError, TypeError) as error:
        raise CassetteError(path, "is not a contracts cassette (a HAR 1.2 file with log._contracts)") from error
    if not isinstance(meta, dict) or meta.get("format") != FORMAT or log.get("version") != HAR_VERSION:
        raise CassetteError(path, f"is not a {FORMAT} (HAR {HAR_VERSION})")
    if meta.get("version") != VERSION:
        raise CassetteError(path, f"is cassette format version {meta.get('version')!r}; this suite reads {VERSION}")
    try:
        vendor = str(meta["vendor"])
        exchanges: list[Exchange] = []
        truncated: set[int] = set()
        for index, item in enumerate(log["entries"]):
            exchange, cut = _exchange(vendor, item)
            exchanges.append(exchange)
            if cut:
                truncated.add(index)
        ids = {str(name): str(value) for name, value in dict(meta.get("ids") or {}).items()}
    except (KeyError, TypeError, ValueError, AttributeError) as error:
        raise CassetteError(path, f"has a malformed entry ({error.__class__.__name__}: {error})") from error
    return Cassette(path=path, vendor=vendor, exchanges=exchanges, truncated=frozenset(truncated), ids=ids)


def _exchange(vendor: str, item: dict[str, Any]) -> tuple[Exchange, bool]:
    request, response, extra = item["request"], item["response"], item["_contracts"]
    post = request.get("postData")
    status = int(response["status"])
    return (
        Exchange(
            vendor=vendor,
            operation=extra.get("operation"),
            method=str(request["method"]),
            url=str(request["url"]),
            path=str(extra["path"]),
            request_headers={h["name"]: h["value"] for h in request["headers"]},
            request_body=None if post is None else str(post["text"]).encode(),
            source=str(extra.get("source", "")),
            status_code=status or None,
            response_headers={h["name"]: h["value"] for h in response["headers"]},
            content=str(response["content"].get("text", "")).encode(),
            error=extra.get("error"),
            retried=bool(extra.get("retried", False)),
            attempt=int(extra.get("attempt", 0)),
        ),
        bool(extra.get("truncated", False)),
    )
