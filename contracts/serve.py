"""Serving the vendor fakes over real HTTP on loopback, one path prefix per vendor."""

from __future__ import annotations

import socket
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import uvicorn
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from contracts.fakes import NOT_SERVED_BODY, RateLimit
from contracts.values.model import FakeService, Vendor


@dataclass(frozen=True)
class ServedVendor:
    vendor: Vendor
    fake: FakeService
    base_url: str

    def environment(self) -> dict[str, str]:
        """The variables a live run needs to test this fake instead of the real vendor."""
        env = {
            self.vendor.env("BASE_URL"): self.base_url,
            self.vendor.env("API_KEY"): self.fake.api_key,
            self.vendor.env("LEAD_ID"): self.fake.known_lead_id,
            self.vendor.env("ALLOW_WRITES"): "1",
        }
        if self.fake.restricted_key:
            env[self.vendor.env("RESTRICTED_API_KEY")] = self.fake.restricted_key
        for name, value in self.fake.fixtures.items():
            env[self.vendor.env(name.upper())] = value
        return env


def bind(host: str, port: int) -> socket.socket:
    """A listening socket on ``host:port`` (port 0 picks a free one). Loopback is the intended host."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    # Accepted connections inherit this. Without it a response's headers and body go out as two small
    # segments and Nagle's algorithm meets the client's delayed ACK: about 40 ms per request (measured).
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    sock.bind((host, port))
    sock.listen(128)
    return sock


class VendorPrefixes:
    """One ASGI app serving each vendor's fake below ``/<vendor>``, chosen by the first path segment.

    Not a router of path patterns: a pattern's ``.*`` stops at an encoded newline, and the server would
    answer such a path itself (a text/plain 404) where the fake in process answers with its own JSON.
    """

    def __init__(self, apps: Mapping[str, ASGIApp]) -> None:
        self.apps = dict(apps)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":  # served with lifespan off
            return
        name = scope["path"].lstrip("/").partition("/")[0]
        app = self.apps.get(name)
        if app is None:
            await JSONResponse(NOT_SERVED_BODY, status_code=404)(scope, receive, send)
            return
        await app({**scope, "root_path": f"{scope.get('root_path', '')}/{name}"}, receive, send)


def mount_fakes(
    fakes: Iterable[tuple[Vendor, FakeService]], *, host: str, port: int
) -> tuple[VendorPrefixes, list[ServedVendor]]:
    """Serve each fake below ``/<vendor>`` of ``http://host:port``; the app and where each one answers."""
    served = [
        ServedVendor(vendor=vendor, fake=fake, base_url=f"http://{host}:{port}/{vendor.name}{fake.server_path}")
        for vendor, fake in fakes
    ]
    return VendorPrefixes({item.vendor.name: item.fake.asgi_app() for item in served}), served


def build_app(
    vendors: Sequence[Vendor], *, host: str, port: int, rate_limit: tuple[int, float] | None = None
) -> tuple[VendorPrefixes, list[ServedVendor]]:
    """A fresh fake of each vendor (rate-limited when asked), mounted as ``contracts serve`` serves them."""

    def fake(vendor: Vendor) -> FakeService:
        return vendor.fake(rate_limit=RateLimit(limit=rate_limit[0], window=rate_limit[1]) if rate_limit else None)

    return mount_fakes(((vendor, fake(vendor)) for vendor in vendors), host=host, port=port)


def run_server(app: ASGIApp, sock: socket.socket) -> None:
    config = uvicorn.Config(app, log_level="warning", lifespan="off")
    uvicorn.Server(config).run(sockets=[sock])
