"""The machinery every vendor fake shares: routing, auth, state reset, defects, faults, adapters.

A fake is written from the vendor's docs as plain synchronous Python
(``FakeRequest -> FakeResponse``). Two adapters run the same fake:

* ``httpx_handler`` for respx, so our httpx client reaches it in process;
* ``asgi_app`` for uvicorn, so it can be served on loopback.

Defects break one documented fact in the responses (for the suite's
self-tests); faults make the fake misbehave as a network peer (timeouts,
resets, 5xx, 429, HTML, huge or truncated bodies, slowness). Every response
carries the rate-limit headers the vendor documents on every response, from an
enforced ``RateLimit`` or, without one, a window no request exhausts.
"""

from __future__ import annotations

import asyncio
import copy
import email.parser
import email.policy
import json
import re
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar
from urllib.parse import unquote

import httpx
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.types import ASGIApp, Receive, Scope, Send

JSON = "application/json"
NOT_SERVED_BODY = {"error": "Not found"}
"""The 404 body for a path no fake serves: outside a fake's server prefix, or (served) under no vendor."""
Handler = Callable[["FakeRequest", "Match"], "FakeResponse"]


@dataclass(frozen=True)
class FakeRequest:
    method: str
    path: str
    """The path below the vendor's server prefix, still percent-encoded, e.g. ``/leads/a%2Fb``."""
    headers: Mapping[str, str]
    """Lower-cased header names."""
    query: Mapping[str, str]
    body: bytes = b""

    def header(self, name: str) -> str | None:
        return self.headers.get(name.lower())

    def json(self) -> Any:
        """The parsed body; raises ``ValueError`` if it is not JSON."""
        return json.loads(self.body.decode("utf-8"))

    def form_file(self, name: str) -> tuple[str | None, str, bytes] | None:
        """The file part ``name`` of a ``multipart/form-data`` body: (filename, content type, content), or None
        when the body is not multipart or has no such part. Parsed with the standard library's ``email``."""
        content_type = self.header("content-type") or ""
        if not content_type.lower().startswith("multipart/form-data"):
            return None
        head = f"Content-Type: {content_type}\r\nMIME-Version: 1.0\r\n\r\n".encode("latin-1", "replace")
        message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(head + self.body)
        if not message.is_multipart():
            return None
        for part in message.iter_parts():
            if part.get_param("name", header="content-disposition") != name:
                continue
            payload = part.get_payload(decode=True)
            content = payload if isinstance(payload, bytes) else b""
            return part.get_filename(), part.get_content_type(), content
        return None


@dataclass
class FakeResponse:
    status: int
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    content_type: str = JSON
    raw: bytes | None = None
    """Bytes to send instead of the JSON-encoded ``body``."""
    delay: float = 0.0
    """Seconds the adapter waits before answering (a slow vendor)."""

    def encode(self) -> bytes:
        if self.raw is not None:
            return self.raw
        if self.body is None:
            return b""
        return json.dumps(self.body).encode()


@dataclass(frozen=True)
class Match:
    operation: str
    """The operation label the route implements, e.g. ``GET /leads/{id}``."""
    params: Mapping[str, str]


@dataclass(frozen=True)
class Route:
    method: str
    template: str
    handler: Handler

    @property
    def label(self) -> str:
        return f"{self.method} {self.template}"

    def match(self, method: str, path: str) -> Match | None:
        pattern = "^" + re.sub(r"\\\{(\w+)\\\}", r"(?P<\1>[^/]+)", re.escape(self.template)) + "$"
        found = re.match(pattern, path)
        if found is None or method != self.method:
            return None
        return Match(self.label, {name: unquote(value) for name, value in found.groupdict().items()})

    def path_matches(self, path: str) -> bool:
        return self.match(self.method, path) is not None


# -- defects: one documented fact broken at a time -----------------------------------------------


@dataclass(frozen=True, kw_only=True)
class Defect:
    """Breaks one documented fact in matching responses. ``operation``/``status`` narrow where it applies."""

    operation: str | None = None
    status: int | None = None
    accepts_any_key: ClassVar[bool] = False

    def applies(self, operation: str, status: int) -> bool:
        return (self.operation is None or self.operation == operation) and (
            self.status is None or self.status == status
        )

    def apply(self, response: FakeResponse, request: FakeRequest) -> FakeResponse:
        return response


def _pointer_parts(pointer: str) -> list[str]:
    return [part.replace("~1", "/").replace("~0", "~") for part in pointer.split("/")[1:]]


def _parent(document: Any, pointer: str) -> tuple[Any, str | int] | None:
    """The container holding the pointer's last member, or None when the path does not exist in this body."""
    parts = _pointer_parts(pointer)
    node = document
    try:
        for part in parts[:-1]:
            node = node[int(part)] if isinstance(node, list) else node[part]
    except (KeyError, IndexError, ValueError, TypeError):
        return None
    if not isinstance(node, dict | list):
        return None
    last: str | int = int(parts[-1]) if isinstance(node, list) else parts[-1]
    return node, last


@dataclass(frozen=True, kw_only=True)
class SetValue(Defect):
    """Set (or add) the value at a JSON pointer in the body."""

    pointer: str
    value: Any

    def apply(self, response: FakeResponse, request: FakeRequest) -> FakeResponse:
        body = copy.deepcopy(response.body)
        found = _parent(body, self.pointer)
        if found is not None:  # a body without the parent (e.g. a null object) is left alone
            parent, key = found
            parent[key] = copy.deepcopy(self.value)
            response.body = body
        return response


@dataclass(frozen=True, kw_only=True)
class DropField(Defect):
    """Remove the member at a JSON pointer from the body."""

    pointer: str

    def apply(self, response: FakeResponse, request: FakeRequest) -> FakeResponse:
        body = copy.deepcopy(response.body)
        found = _parent(body, self.pointer)
        if found is not None and (found[1] in found[0] if isinstance(found[0], dict) else True):
            parent, key = found
            del parent[key]
            response.body = body
        return response


@dataclass(frozen=True, kw_only=True)
class ReplaceStatus(Defect):
    new_status: int

    def apply(self, response: FakeResponse, request: FakeRequest) -> FakeResponse:
        response.status = self.new_status
        return response


@dataclass(frozen=True, kw_only=True)
class ReplaceBody(Defect):
    body: Any

    def apply(self, response: FakeResponse, request: FakeRequest) -> FakeResponse:
        response.body = copy.deepcopy(self.body)
        return response


@dataclass(frozen=True, kw_only=True)
class ReplaceContentType(Defect):
    content_type: str

    def apply(self, response: FakeResponse, request: FakeRequest) -> FakeResponse:
        response.content_type = self.content_type
        return response


@dataclass(frozen=True, kw_only=True)
class AddHeaders(Defect):
    """Add headers, or replace the values of headers the response already has (names compared case-insensitively)."""

    headers: Mapping[str, str]

    def apply(self, response: FakeResponse, request: FakeRequest) -> FakeResponse:
        replaced = {name.lower() for name in self.headers}
        response.headers = {
            **{name: value for name, value in response.headers.items() if name.lower() not in replaced},
            **self.headers,
        }
        return response


@dataclass(frozen=True, kw_only=True)
class DropHeader(Defect):
    """Remove a header from the response (the name compared case-insensitively)."""

    name: str

    def apply(self, response: FakeResponse, request: FakeRequest) -> FakeResponse:
        response.headers = {
            name: value for name, value in response.headers.items() if name.lower() != self.name.lower()
        }
        return response


@dataclass(frozen=True, kw_only=True)
class AcceptAnyKey(Defect):
    """Auth not enforced: requests without a key, or with a wrong one, are served as if authorised."""

    accepts_any_key: ClassVar[bool] = True


@dataclass(frozen=True, kw_only=True)
class EchoCredential(Defect):
    """The vendor echoes the presented credential back, in the body and in a header carrying a URL."""

    pointer: str = "/echo"

    def apply(self, response: FakeResponse, request: FakeRequest) -> FakeResponse:
        presented = request.header("authorization") or request.header("x-api-key") or ""
        if isinstance(response.body, dict):
            response.body = {**response.body, self.pointer.lstrip("/"): presented}
        response.headers["Link"] = f"<https://vendor.example/next?token={presented}>; rel=next"
        return response


@dataclass(frozen=True, kw_only=True)
class Quirk(Defect):
    """A named behaviour switch that a vendor fake's handlers consult (e.g. ``no_metadata_mapping``)."""

    name: str


# -- faults: the fake misbehaving as a network peer ----------------------------------------------


@dataclass
class Fault:
    """A fault served to the first ``times`` matching requests (all of them when ``times`` is None).

    ``kind`` is one of: ``status`` (answer ``status`` with a JSON or HTML body), ``html`` (an HTML error
    page with ``status``), ``non_json`` (plain text with a JSON content type), ``huge`` (a body of
    ``size`` bytes), ``truncated`` (the connection closes mid-body), ``timeout`` (no answer within the
    client's read timeout), ``reset`` (connection reset), ``slow`` (answer after ``delay`` seconds).
    """

    kind: str
    operation: str | None = None
    status: int = 503
    times: int | None = None
    delay: float = 0.0
    size: int = 0
    retry_after: int | None = None
    served: int = 0

    KINDS: ClassVar[tuple[str, ...]] = ("status", "html", "non_json", "huge", "truncated", "timeout", "reset", "slow")

    def __post_init__(self) -> None:
        if self.kind not in self.KINDS:
            raise ValueError(f"unknown fault {self.kind!r}; expected one of {', '.join(self.KINDS)}")

    def take(self, operation: str) -> bool:
        if self.operation is not None and self.operation != operation:
            return False
        if self.times is not None and self.served >= self.times:
            return False
        self.served += 1
        return True


class TransportFault(Exception):
    """Raised by a fake to make its adapter fail at the transport level (timeout, reset, truncation)."""

    def __init__(self, kind: str, *, delay: float = 0.0) -> None:
        super().__init__(kind)
        self.kind = kind
        self.delay = delay


@dataclass(frozen=True)
class Window:
    """Where a request stands in its rate-limit window: what the X-RateLimit-* headers report."""

    limit: int
    used: int
    reset: int
    """Unix time (seconds) when the window frees a request again."""
    retry_after: int | None = None
    """Seconds to wait, for a refused request."""

    @property
    def remaining(self) -> int:
        return max(self.limit - self.used, 0)


@dataclass
class RateLimit:
    """A sliding-window limit the fake enforces, answering 429 beyond it (``contracts serve --rate-limit``)."""

    limit: int
    window: float
    rejected: int = 0
    """How many requests were refused with 429 (for tests: proof that the limit was hit)."""
    _hits: deque[float] = field(default_factory=deque)

    def admit(self, now: float) -> tuple[bool, Window]:
        while self._hits and now - self._hits[0] >= self.window:
            self._hits.popleft()
        admitted = len(self._hits) < self.limit
        if admitted:
            self._hits.append(now)
        else:
            self.rejected += 1
        reset_in = self.window - (now - self._hits[0]) if self._hits else self.window
        retry_after = None if admitted else max(int(reset_in + 0.999), 1)
        return admitted, Window(self.limit, len(self._hits), int(time.time() + reset_in) + 1, retry_after)


def unenforced_window(limit: int, seconds: float) -> Window:
    """What a fake that enforces no limit reports: each request the first of a fresh window, never refused."""
    return Window(limit, 1, int(time.time() + seconds))


# -- the fake itself -----------------------------------------------------------------------------


class FakeVendor:
    """Base for vendor fakes. Subclasses set ``name``, ``server_path``, keys and ``routes()``, and seed state."""

    name: ClassVar[str]
    server_path: ClassVar[str]
    """The path prefix of the vendor's documented server URL (``/api/public``, ``/v1``, or ``""``)."""
    api_key: ClassVar[str]
    """The key the fake accepts; documented format, not a secret."""
    restricted_key: ClassVar[str | None] = None
    """A key that authenticates but lacks permission (for vendors that document 403)."""
    known_lead_id: ClassVar[str]
    fixtures: ClassVar[Mapping[str, str]] = {}
    """Ids of seeded records that scenarios refer to by name."""
    rate_limit_headers: ClassVar[Mapping[str, str]] = {}
    """The headers the docs promise on every response -> the ``Window`` field each reports (``limit``,
    ``remaining``, ``reset``, ``used``); none for a vendor that documents none."""
    documented_limit: ClassVar[tuple[int, float]] = (100, 60.0)
    """(requests, seconds) the headers report when no ``RateLimit`` is enforced: the docs' limit where they give one."""
    retry_after_on_429: ClassVar[bool] = True
    """Whether a 429 carries Retry-After (False where the docs do not say that it does)."""

    def __init__(
        self,
        *,
        defects: Iterable[Defect] = (),
        faults: Iterable[Fault] = (),
        rate_limit: RateLimit | None = None,
    ) -> None:
        self.defects = list(defects)
        self.faults = list(faults)
        self.rate_limit = rate_limit
        self.requests_served = 0
        self._lock = threading.RLock()
        self._routes = self.routes()
        self.reset()

    # subclass hooks -------------------------------------------------------------------------

    def routes(self) -> list[Route]:
        raise NotImplementedError

    def reset(self) -> None:
        """Restore the seeded state (the docs' example records)."""
        raise NotImplementedError

    def authenticate(self, request: FakeRequest) -> FakeResponse | None:
        """Return the documented 401/403 response, or None when the request may proceed."""
        raise NotImplementedError

    def not_found(self, request: FakeRequest) -> FakeResponse:
        return FakeResponse(404, {"error": "Not found"})

    # shared behaviour -----------------------------------------------------------------------

    def has_quirk(self, name: str) -> bool:
        return any(isinstance(defect, Quirk) and defect.name == name for defect in self.defects)

    @property
    def accepts_any_key(self) -> bool:
        return any(defect.accepts_any_key for defect in self.defects)

    def presented_key(self, request: FakeRequest, header: str) -> str | None:
        value = request.header(header)
        if value is None:
            return None
        if header.lower() == "authorization":
            scheme, _, token = value.partition(" ")
            return token if scheme.lower() == "bearer" else ""
        return value

    def handle(self, request: FakeRequest) -> FakeResponse:
        with self._lock:
            self.requests_served += 1
            route, match = self._route(request)
            operation = match.operation if match else f"{request.method} {request.path}"
            if self.rate_limit is not None:
                admitted, window = self.rate_limit.admit(time.monotonic())
            else:
                admitted, window = True, unenforced_window(*self.documented_limit)
            fault = None if not admitted else next((f for f in self.faults if f.take(operation)), None)
            routed = False
            if not admitted:
                response = self._too_many_requests(window.retry_after)
            elif fault is not None and fault.kind != "slow":
                response = self._fault_response(fault)
            elif route is None or match is None:
                response = self._unrouted(request)
            else:
                denied = None if self.accepts_any_key else self.authenticate(request)
                response = denied if denied is not None else route.handler(request, match)
                routed = True
            response.headers = {**self._window_headers(window), **response.headers}
            # Defects break documented facts of the vendor's answers (a route's or a 429), never of other faults.
            if routed or response.status == 429:
                for defect in self.defects:
                    if defect.applies(operation, response.status):
                        response = defect.apply(response, request)
            if fault is not None and fault.kind == "slow":
                response.delay = fault.delay
            return response

    def _window_headers(self, window: Window) -> dict[str, str]:
        return {name: str(getattr(window, attribute)) for name, attribute in self.rate_limit_headers.items()}

    def _too_many_requests(self, retry_after: int | None) -> FakeResponse:
        """The vendor's documented 429: its body, and Retry-After where the docs say it is sent."""
        headers = {"Retry-After": str(retry_after)} if retry_after is not None and self.retry_after_on_429 else {}
        return FakeResponse(429, self.rate_limited_body(), headers=headers)

    def rate_limited_body(self) -> Any:
        return {"error": "Too many requests"}

    def _route(self, request: FakeRequest) -> tuple[Route | None, Match | None]:
        for route in self._routes:
            match = route.match(request.method, request.path)
            if match is not None:
                return route, match
        return None, None

    def _unrouted(self, request: FakeRequest) -> FakeResponse:
        allowed = sorted({route.method for route in self._routes if route.path_matches(request.path)})
        if allowed:
            return FakeResponse(405, {"error": "Method not allowed"}, headers={"Allow": ", ".join(allowed)})
        return self.not_found(request)

    def _fault_response(self, fault: Fault) -> FakeResponse:
        if fault.kind in ("timeout", "reset", "truncated"):
            raise TransportFault(fault.kind, delay=fault.delay)
        headers = {"Retry-After": str(fault.retry_after)} if fault.retry_after is not None else {}
        if fault.kind == "html":
            page = b"<html><head><title>502 Bad Gateway</title></head><body><h1>Bad Gateway</h1></body></html>"
            return FakeResponse(fault.status, raw=page, content_type="text/html", headers=headers)
        if fault.kind == "non_json":
            return FakeResponse(fault.status, raw=b"upstream error: not json", headers=headers)
        if fault.kind == "huge":
            filler = b'{"padding": "' + b"x" * max(fault.size, 0) + b'"}'
            return FakeResponse(fault.status, raw=filler, headers=headers)
        # A 429 fault is the vendor's documented 429 body, with the Retry-After the fault asks for (if any).
        body = self.rate_limited_body() if fault.status == 429 else {"error": "Service unavailable"}
        return FakeResponse(fault.status, body, headers=headers)

    def split_path(self, path: str) -> str | None:
        """The part of ``path`` below the server prefix, or None if it is outside it."""
        if not path.startswith(self.server_path):
            return None
        rest = path[len(self.server_path) :]
        return rest if rest.startswith("/") or rest == "" else None

    # adapters -------------------------------------------------------------------------------

    def httpx_handler(self, request: httpx.Request) -> httpx.Response:
        """Serve an httpx request in process (used as a respx side effect)."""
        path = self.split_path(request.url.raw_path.decode("ascii").split("?")[0])
        if path is None:
            return httpx.Response(404, json=NOT_SERVED_BODY, request=request)
        fake_request = FakeRequest(
            method=request.method,
            path=path,
            headers={k.lower(): v for k, v in request.headers.items()},
            query=dict(request.url.params),
            body=request.read(),
        )
        try:
            response = self.handle(fake_request)
        except TransportFault as fault:
            raise _httpx_fault(fault, request) from None
        if response.delay:
            read_timeout = request.extensions.get("timeout", {}).get("read")
            if read_timeout is not None and response.delay > read_timeout:
                time.sleep(read_timeout)
                raise httpx.ReadTimeout("timed out (fake: slow answer)", request=request)
            time.sleep(response.delay)
        headers = {"Content-Type": response.content_type, **response.headers}
        return httpx.Response(response.status, headers=headers, content=response.encode(), request=request)

    def asgi_app(self) -> ASGIApp:
        """An ASGI app serving this fake below its documented server prefix.

        Every path reaches the fake, which answers it as it does in process. A route pattern would not:
        its ``.*`` stops at an encoded newline, and the server would answer such a path itself with a
        text/plain 404 (schemathesis draws such ids).
        """

        async def endpoint(request: Request) -> Response:
            raw_path = (request.scope.get("raw_path") or request.url.path.encode()).decode("ascii").split("?")[0]
            mount = request.scope.get("root_path", "")
            if mount and raw_path.startswith(mount):
                raw_path = raw_path[len(mount) :]
            path = self.split_path(raw_path)
            if path is None:  # outside the documented server prefix, as in `httpx_handler`
                return JSONResponse(NOT_SERVED_BODY, status_code=404)
            fake_request = FakeRequest(
                method=request.method,
                path=path,
                headers={k.lower(): v for k, v in request.headers.items()},
                query=dict(request.query_params),
                body=await request.body(),
            )
            try:
                response = self.handle(fake_request)
            except TransportFault as fault:
                # Over a real socket a timeout is a long silence; resets and truncation cannot be produced
                # through ASGI and are served as a silence too (respx covers them in process).
                await asyncio.sleep(fault.delay or 30.0)
                response = FakeResponse(504, {"error": "Gateway timeout"})
            if response.delay:
                await asyncio.sleep(response.delay)
            return Response(
                content=response.encode(),
                status_code=response.status,
                headers=response.headers,
                media_type=response.content_type,
            )

        async def app(scope: Scope, receive: Receive, send: Send) -> None:
            if scope["type"] != "http":  # served with lifespan off; nothing else is spoken here
                return
            response = await endpoint(Request(scope, receive))
            await response(scope, receive, send)

        return app


def _httpx_fault(fault: TransportFault, request: httpx.Request) -> httpx.TransportError:
    timeout = request.extensions.get("timeout", {}).get("read") or 0.0
    if fault.kind == "timeout":
        time.sleep(min(timeout, 0.05))
        return httpx.ReadTimeout("timed out (fake)", request=request)
    if fault.kind == "reset":
        return httpx.ReadError("[Errno 104] Connection reset by peer (fake)", request=request)
    return httpx.RemoteProtocolError(
        "peer closed connection without sending complete message body (fake: truncated)", request=request
    )
