"""Helpers for the fake behaviour tests: an in-process client, loopback serving, spec conformance checks."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx
import uvicorn

from contracts.engine.context import load_spec as shared_spec
from contracts.fakes._core import FakeVendor
from contracts.serve import bind
from contracts.spec.conformance import wire_value
from contracts.spec.document import Spec
from contracts.values.model import Vendor


def load_spec(vendor: Vendor) -> Spec:
    """The vendor's spec: the instance every test and run in this process shares (never change it)."""
    return shared_spec(vendor)


def in_process_client(fake: FakeVendor, spec: Spec) -> httpx.Client:
    """An httpx client whose requests to the spec's server URL are answered by ``fake`` in process."""
    return httpx.Client(base_url=spec.server_url, transport=httpx.MockTransport(fake.httpx_handler))


def credentials(vendor: Vendor, key: str) -> dict[str, str]:
    """Headers presenting ``key`` the way the vendor's spec says."""
    return load_spec(vendor).credential_headers(vendor.security_scheme, key)


def schema_errors(spec: Spec, pointer: str, instance: Any) -> list[str]:
    """Every validation error (with formats checked) of ``instance`` against the schema at ``pointer``."""
    errors = spec.validator(pointer).iter_errors(instance)
    return sorted(f"{error.json_path}: {error.message}" for error in errors)


def assert_conforms(spec: Spec, response: httpx.Response, *, mount: str = "") -> Any:
    """The response's status is documented for its operation, its required headers are there, its documented
    headers and its JSON body validate; returns the body.

    ``mount`` is a URL prefix in front of the spec's server path (``/nexor`` under ``contracts serve``).
    """
    request = response.request
    raw_path = request.url.raw_path.decode("ascii").split("?")[0]
    prefix = mount + spec.server_path
    assert raw_path.startswith(prefix), f"{raw_path} is outside {prefix}"
    path = raw_path[len(prefix) :]
    operation = spec.match(request.method, path)
    assert operation is not None, f"{request.method} {path} is no operation of {spec.source}"
    documented = operation.response_for(response.status_code)
    assert documented is not None, f"{operation.label} does not document {response.status_code}"
    media_type = response.headers.get("content-type", "").split(";")[0].strip()
    if documented.media_types:
        assert media_type in documented.media_types, f"{media_type!r} not in {documented.media_types}"
    for name, header in documented.headers.items():
        value = response.headers.get(name)
        assert value is not None or not header.get("required"), f"{operation.label} {response.status_code}: no {name}"
        schema = documented.header_schemas.get(name)
        if value is not None and schema is not None:
            typed = wire_value(value, spec.schema_types(schema))
            assert schema_errors(spec, schema, typed) == [], f"{operation.label} {response.status_code}: {name}"
    body = response.json()
    pointer = spec.response_schema_pointer(documented, media_type)
    if pointer is not None:
        assert schema_errors(spec, pointer, body) == [], f"{operation.label} {response.status_code}"
    return body


@contextmanager
def serve(app: Any, sock: socket.socket | None = None) -> Iterator[str]:
    """Serve an ASGI app with uvicorn on 127.0.0.1 in a thread; yields ``http://127.0.0.1:<port>``.

    Without ``sock`` a free port is picked; pass a bound socket when the app must know its port beforehand.
    """
    sock = sock or bind("127.0.0.1", 0)
    port = sock.getsockname()[1]
    config = uvicorn.Config(app, log_config=None, log_level="warning", lifespan="off", ws="none", http="h11")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    with sock:
        thread.start()
        deadline = time.monotonic() + 5
        while not server.started:
            assert thread.is_alive(), "uvicorn stopped while starting"
            assert time.monotonic() < deadline, "uvicorn did not start within 5 s"
            time.sleep(0.005)
        try:
            yield f"http://127.0.0.1:{port}"
        finally:
            server.should_exit = True
            thread.join(timeout=5)
            assert not thread.is_alive(), "uvicorn did not stop"
