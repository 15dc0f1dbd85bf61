"""An ASGI app that hands schemathesis's requests to our ``VendorClient``.

schemathesis sends to ``schema.app`` in process. Pointing it at this bridge
makes every generated request, and every probe its checks send (such as
``ignored_auth`` re-sending without credentials), go through the same gateway
as our own requests: the same target (fake or live), pacing, budget,
retries, body cap, redaction and exchange log. Faults raised by the client
propagate to schemathesis, which records them against the case.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any
from urllib.parse import quote

from contracts.client import VendorClient

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]

# Hop-by-hop and transport headers that httpx sets itself for the outgoing request.
_NOT_FORWARDED = frozenset({"host", "content-length", "connection", "transfer-encoding"})


class SchemathesisBridge:
    def __init__(self, client: VendorClient, *, server_path: str, source: str = "schemathesis") -> None:
        self.client = client
        self.server_path = server_path
        self.source = source

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self._lifespan(receive, send)
            return
        if scope["type"] != "http":  # pragma: no cover - schemathesis only speaks HTTP
            raise RuntimeError(f"unsupported ASGI scope {scope['type']!r}")
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        # The raw path keeps percent-escapes (an id containing "/" stays one segment).
        raw_path = scope.get("raw_path")
        path = raw_path.decode("ascii") if raw_path else quote(scope["path"])
        if self.server_path and path.startswith(self.server_path):
            path = path[len(self.server_path) :] or "/"
        headers = {
            name.decode("latin-1"): value.decode("latin-1")
            for name, value in scope["headers"]
            if name.decode("latin-1").lower() not in _NOT_FORWARDED
        }
        exchange = self.client.request(
            scope["method"],
            path,
            headers=headers,
            params=scope.get("query_string", b"").decode("latin-1") or None,
            content=body or None,
            source=self.source,
        )
        status = exchange.status_code or 502
        response_headers = [
            (name.encode("latin-1"), value.encode("latin-1"))
            for name, value in exchange.response_headers.items()
            if name not in ("content-length", "transfer-encoding", "content-encoding")
        ]
        response_headers.append((b"content-length", str(len(exchange.content)).encode()))
        await send({"type": "http.response.start", "status": status, "headers": response_headers})
        await send({"type": "http.response.body", "body": exchange.content})

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await send({"type": "lifespan.shutdown.complete"})
                return
