"""A schemathesis transport that hands every case to our ``VendorClient``.

schemathesis sends each case, and every probe its checks send (such as
``ignored_auth`` re-sending without credentials), through the schema's
transport. Installing this one makes all of them go through the same gateway
as our own requests: the same target (fake or live), pacing, budget, retries,
body cap, redaction and exchange log. Faults raised by the client propagate to
schemathesis, which records them against the case.

The request is serialized exactly as schemathesis's own ``requests`` transport
would send it (same serializers, same ``requests`` preparation), then sent
synchronously: no ASGI app, no event loop, no thread per request, which is
what the in-process ASGI route cost (about 1.5 ms a request, measured in
``benchmarks/``).
"""

from __future__ import annotations

from http import HTTPStatus
from typing import Any
from urllib.parse import urlsplit

import requests
from requests.structures import CaseInsensitiveDict
from requests.utils import get_encoding_from_headers
from schemathesis.core.transport import Response
from schemathesis.transport.requests import REQUESTS_TRANSPORT, RequestsTransport

from contracts.transport.client import VendorClient

# Only used to give ``requests`` an absolute URL to prepare; nothing is ever sent to it.
_PLACEHOLDER_ORIGIN = "http://contracts.invalid"

# Transport headers httpx sets itself for the outgoing request.
_NOT_FORWARDED = frozenset({"host", "content-length", "connection", "transfer-encoding"})
# The client hands back the decoded body, so these would describe bytes schemathesis never sees.
_NOT_RETURNED = frozenset({"content-length", "transfer-encoding", "content-encoding"})


class ClientTransport(RequestsTransport):
    """Sends schemathesis cases with a ``VendorClient`` instead of a ``requests`` session."""

    def __init__(self, client: VendorClient, *, server_path: str, source: str = "schemathesis") -> None:
        super().__init__()
        self._copy_serializers_from(REQUESTS_TRANSPORT)
        self.client = client
        self.server_path = server_path
        self.source = source

    def send(self, case: Any, *, session: requests.Session | None = None, **kwargs: Any) -> Response:
        # Redirects are not followed (the client never follows them), and there is no app to call.
        for ignored in ("max_redirects", "app"):
            kwargs.pop(ignored, None)
        if session is not None and session.headers:
            # Headers configured for the run rank below the ones given for this call, as in schemathesis.
            headers = kwargs.get("headers") or {}
            for name, value in session.headers.items():
                headers.setdefault(name, value)
            kwargs["headers"] = headers
        data = self._build_request_data(case, kwargs)
        url = data["url"]
        if not urlsplit(url).scheme:
            url = f"{_PLACEHOLDER_ORIGIN}{url}"
        prepared = requests.Request(
            method=data["method"],
            url=url,
            headers=data.get("headers"),
            params=data.get("params"),
            cookies=data.get("cookies"),
            json=data.get("json"),
            data=data.get("data"),
            files=data.get("files"),
            auth=data.get("auth"),
        ).prepare()
        return self._exchange(prepared)

    def _exchange(self, prepared: requests.PreparedRequest) -> Response:
        parts = urlsplit(prepared.url or "")
        path = parts.path
        if self.server_path and path.startswith(self.server_path):
            path = path[len(self.server_path) :] or "/"
        body = _body_bytes(prepared.body)
        exchange = self.client.request(
            prepared.method or "GET",
            path,
            headers={
                name: value if isinstance(value, str) else value.decode("latin-1")
                for name, value in prepared.headers.items()
                if name.lower() not in _NOT_FORWARDED
            },
            params=parts.query or None,
            content=body or None,
            source=self.source,
        )
        headers = {name: [value] for name, value in exchange.response_headers.items() if name not in _NOT_RETURNED}
        headers["content-length"] = [str(len(exchange.content))]
        status = exchange.status_code or 502
        return Response(
            status_code=status,
            headers=headers,
            content=exchange.content,
            request=prepared,
            elapsed=exchange.elapsed,
            verify=True,
            message=_reason(status),
            encoding=get_encoding_from_headers(CaseInsensitiveDict(exchange.response_headers)),
        )


def _body_bytes(body: object) -> bytes | None:
    """``requests`` prepares a body as text or bytes (multipart included); nothing else reaches us."""
    if body is None or isinstance(body, bytes):
        return body
    if isinstance(body, str):
        return body.encode("utf-8")
    raise TypeError(f"cannot send a streamed request body ({type(body).__name__})")


def _reason(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return ""


def install(schema: Any, transport: ClientTransport) -> None:
    """Make ``schema`` send every case, and every check's probe, through ``transport``.

    schemathesis picks a schema's transport from its ``app`` (ASGI, WSGI or ``requests``) in a read-only
    property; a per-schema subclass overrides just that property. ``schema.app`` stays unset.
    """
    base = type(schema)
    schema.__class__ = type(f"ClientRouted{base.__name__}", (base,), {"transport": property(lambda self: transport)})
