"""``contracts.testing``: the verified fakes mounted for our users' own tests, and its pytest fixture."""

from __future__ import annotations

import ast
import asyncio
import contextlib
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
import respx
from respx.models import AllMockedAssertionError

import contracts
from contracts import testing
from contracts.engine.context import load_spec
from contracts.testing import (
    DEFECTS,
    FAULT_KINDS,
    QUIRKS,
    AcceptAnyKey,
    AddHeaders,
    Defect,
    DropField,
    DropHeader,
    EchoCredential,
    Fault,
    Quirk,
    RateLimit,
    ReplaceBody,
    ReplaceContentType,
    ReplaceStatus,
    SetValue,
    VendorFake,
    VendorFakes,
    vendor_fakes,
)
from contracts.vendors import VENDORS, get_vendor

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "tests" / "test_readme_fakes_example.py"
README_SECTION = "## Use the verified fakes in your own tests"
POLLYBOT_HOST = "https://acme.pollybot.example"
CLOSED_PORT = "http://127.0.0.1:1/"
"""Loopback, where nothing listens: a request that is not intercepted fails at once, without the network."""


def auth(fake: VendorFake, key: str | None = None) -> dict[str, str]:
    """The credential headers the vendor's spec documents, carrying the fake's key."""
    return load_spec(fake.vendor).credential_headers(fake.vendor.security_scheme, key or fake.api_key)


def read_url(fake: VendorFake, lead_id: str | None = None) -> str:
    """The URL of the vendor's documented lead read, below the mounted base URL."""
    path = fake.vendor.read_operation.split(" ", 1)[1]
    return fake.base_url + re.sub(r"\{\w+\}", lead_id or fake.known_lead_id, path)


def mount(name: str) -> testing.FakesMount[VendorFake]:
    return vendor_fakes(name, base_url=POLLYBOT_HOST) if name == "pollybot" else vendor_fakes(name)


# -- the README's example is a test of this suite --------------------------------------------------


def test_the_readme_example_is_the_example_test_module():
    """The README's example is tests/test_readme_fakes_example.py, verbatim: the suite runs what users read."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert README_SECTION in readme
    section = readme.split(README_SECTION, 1)[1].split("\n## ", 1)[0]
    block = re.search(r"```python\n(.*?)```", section, re.DOTALL)
    assert block is not None, "the README section has no ```python block"
    assert block.group(1) == EXAMPLE.read_text(encoding="utf-8")


def test_the_public_names():
    assert contracts.vendor_fakes is vendor_fakes
    assert contracts.VendorFake is VendorFake
    assert contracts.VendorFakes is VendorFakes
    assert set(testing.__all__) <= set(dir(testing))


# -- mounting: every vendor, any httpx client ------------------------------------------------------


@pytest.mark.parametrize("name", [vendor.name for vendor in VENDORS])
def test_each_vendor_answers_at_its_documented_base_url_for_sync_and_async_clients(name):
    vendor = get_vendor(name)
    expected_base = POLLYBOT_HOST if name == "pollybot" else load_spec(vendor).server_url
    with mount(name) as fake:
        assert fake.base_url == expected_base
        assert fake.name == name
        with httpx.Client() as client:
            sync = client.get(read_url(fake), headers=auth(fake))

        async def read() -> httpx.Response:
            async with httpx.AsyncClient() as client:
                return await client.get(read_url(fake), headers=auth(fake))

        asynchronous = asyncio.run(read())
        unauthenticated = httpx.get(read_url(fake))
    assert sync.status_code == asynchronous.status_code == 200, sync.text
    assert sync.json() == asynchronous.json()
    assert unauthenticated.status_code == 401
    assert fake.route.call_count == len(fake.calls) == 3
    assert fake.known_lead_id in fake.leads


def test_every_vendor_at_once_by_name():
    with vendor_fakes(base_url={"pollybot": POLLYBOT_HOST}) as fakes:
        assert isinstance(fakes, VendorFakes)
        assert list(fakes) == [vendor.name for vendor in VENDORS]
        statuses = {name: httpx.get(read_url(fake), headers=auth(fake)).status_code for name, fake in fakes.items()}
    assert statuses == dict.fromkeys(fakes, 200)
    assert fakes.calls.call_count == len(VENDORS)
    assert {name: fake.route.call_count for name, fake in fakes.items()} == dict.fromkeys(fakes, 1)


def test_several_vendors_share_one_router_with_a_route_each():
    with vendor_fakes("nexor", "aura") as fakes:
        aura = fakes["aura"]
        assert httpx.get(read_url(aura), headers=auth(aura)).status_code == 200
        with pytest.raises(KeyError, match="'dialnexa' is not mounted here; mounted: nexor, aura"):
            fakes["dialnexa"]
    assert fakes["nexor"].router is aura.router is fakes.router
    assert fakes.router.routes["aura"].call_count == 1
    assert fakes.router.routes["nexor"].call_count == 0


def test_the_fake_is_the_suites_own():
    with vendor_fakes("nexor") as nexor:
        assert type(nexor.fake) is type(get_vendor("nexor").fake())
        assert nexor.operations == (
            "GET /leads/{id}",
            "PUT /leads/{id}",
            "PATCH /leads/{id}",
            "POST /leads/{id}/status",
            "POST /leads",
            "PUT /leads/tags",
        )
        assert nexor.fixtures["workflow_id"]


# -- nothing reaches the network -------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "https://api.example.org/leads",  # another host
        "https://api.getnexor.ai/other",  # Nexor's host, outside its documented server path
        "http://api.getnexor.ai/api/public/leads",  # another scheme
    ],
)
def test_a_request_no_fake_routes_fails_loudly(url):
    with vendor_fakes("nexor") as nexor, pytest.raises(AllMockedAssertionError, match="not mocked"):
        httpx.get(url, headers=auth(nexor))
    assert nexor.calls.call_count == 0


@pytest.mark.parametrize("order", ["theirs first", "ours first"])
def test_a_users_own_respx_routes_keep_answering_their_hosts(order):
    theirs = respx.mock(assert_all_called=False)
    theirs.get("https://crm.example/ping").respond(204)
    with contextlib.ExitStack() as stack:
        if order == "theirs first":
            stack.enter_context(theirs)
        nexor = stack.enter_context(vendor_fakes("nexor"))
        if order == "ours first":
            stack.enter_context(theirs)
        assert httpx.get("https://crm.example/ping").status_code == 204
        assert httpx.get(read_url(nexor), headers=auth(nexor)).status_code == 200
        with pytest.raises(AllMockedAssertionError):
            httpx.get("https://elsewhere.example/")


def test_after_the_mount_httpx_is_no_longer_intercepted():
    with vendor_fakes("nexor"), pytest.raises(AllMockedAssertionError):
        httpx.get(CLOSED_PORT)
    with pytest.raises(httpx.ConnectError):
        httpx.get(CLOSED_PORT)


def test_a_mount_is_stopped_by_an_exception_too():
    with pytest.raises(RuntimeError, match="boom"), vendor_fakes("nexor"):
        raise RuntimeError("boom")
    with pytest.raises(httpx.ConnectError):
        httpx.get(CLOSED_PORT)


# -- state -----------------------------------------------------------------------------------------


def test_each_mount_has_fresh_state():
    with vendor_fakes("nexor") as first:
        created = httpx.post(f"{first.base_url}/leads", json={"first_name": "Ada"}, headers=auth(first))
        assert created.status_code == 201
        assert len(first.leads) == 2
    with vendor_fakes("nexor") as second:
        assert list(second.leads) == [second.known_lead_id]
        assert second.calls.call_count == 0
    assert len(first.leads) == 2  # the first mount's fake and calls stay readable after its block
    assert first.calls.call_count == 1


def test_reset_restores_the_seeded_records_and_clear_switches_everything_off():
    with vendor_fakes("nexor", faults=[Fault("status", operation="GET /leads/{id}")]) as nexor:
        httpx.post(f"{nexor.base_url}/leads", json={"first_name": "Ada"}, headers=auth(nexor))
        nexor.add_defect(ReplaceStatus(new_status=500))
        nexor.limit_rate(100, 60)
        nexor.reset()
        assert list(nexor.leads) == [nexor.known_lead_id]
        assert (len(nexor.faults), len(nexor.defects), type(nexor.fake.rate_limit)) == (1, 1, RateLimit)
        nexor.clear()
        assert (nexor.faults, nexor.defects, nexor.fake.rate_limit) == ([], [], None)
        assert httpx.get(read_url(nexor), headers=auth(nexor)).status_code == 200


def test_a_mount_is_used_once():
    mounted = vendor_fakes("aura")
    with mounted:
        pass
    with pytest.raises(RuntimeError, match="already used; call vendor_fakes"):
        mounted.start()


def test_start_and_stop_without_with():
    mounted = vendor_fakes("aura")
    aura = mounted.start()
    try:
        assert mounted.running
        assert httpx.get(read_url(aura), headers=auth(aura)).status_code == 200
    finally:
        mounted.stop()
    mounted.stop()  # idempotent
    assert not mounted.running


def test_one_vendor_cannot_be_mounted_twice_at_once():
    """respx asks the first router that matches: a second mount would be silently shadowed."""
    with (
        vendor_fakes("nexor"),
        pytest.raises(RuntimeError, match=r"nexor's fake is mounted at https://api\.getnexor\.ai"),
    ):
        vendor_fakes("nexor", "aura").start()
    with vendor_fakes("nexor"), vendor_fakes("aura") as aura:  # different hosts: fine
        assert httpx.get(read_url(aura), headers=auth(aura)).status_code == 200
    with vendor_fakes("nexor"):  # the earlier mounts are gone
        pass


# -- options and their errors ----------------------------------------------------------------------


def test_an_unknown_vendor_names_the_known_ones():
    with pytest.raises(ValueError, match="unknown vendor 'nexxor'; known vendors: nexor, pollybot, dialnexa, aura"):
        vendor_fakes("nexxor")


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (
            lambda: vendor_fakes("nexor", "aura", base_url="https://x.example"),  # type: ignore[call-overload]
            "give base_url as a mapping",
        ),
        (
            lambda: vendor_fakes("nexor", "aura", faults=[Fault("timeout")]),  # type: ignore[call-overload]
            "give faults as a mapping",
        ),
        (lambda: vendor_fakes("nexor", base_url={"aura": "https://x.example"}), "not mounted here: aura"),
        (lambda: vendor_fakes("nexor", "nexor"), "named twice"),
        (lambda: vendor_fakes("nexor", base_url="https://proxy.example/v2"), "must end with the fake's server path"),
        (lambda: vendor_fakes("nexor", base_url="/api/public"), "absolute http"),
        (lambda: vendor_fakes("aura", base_url="https://x.example/?a=1"), "no query"),
        (
            lambda: vendor_fakes("pollybot", "aura", base_url={"pollybot": "https://api.aura-app.ai"}),
            "cannot both be mounted",
        ),
        (lambda: vendor_fakes("nexor", faults=[Fault("timeout", operation="GET /lead")]), "serves: GET /leads/{id}"),
        (
            lambda: vendor_fakes("dialnexa", defects=[Quirk(name="no_metadata_mapping")]),
            "dialnexa's fake has no quirk 'no_metadata_mapping'; its quirks: update_after_call_started",
        ),
    ],
)
def test_options_are_checked_when_asked_for(call: Callable[[], object], message: str):
    with pytest.raises(ValueError, match=re.escape(message)):
        call()


def test_a_base_url_override_keeps_the_documented_server_path():
    with vendor_fakes("dialnexa", base_url="https://eu.dialnexa.example/v1/") as dialnexa:
        assert dialnexa.base_url == "https://eu.dialnexa.example/v1"
        assert httpx.get(read_url(dialnexa), headers=auth(dialnexa)).status_code == 200
        with pytest.raises(AllMockedAssertionError):
            httpx.get("https://api.dialnexa.com/v1/campaigns-leads/lead_abc123")


# -- switches: every fault kind, every defect, quirks, rate limits ---------------------------------

FAULT_OUTCOMES: dict[str, tuple[dict[str, Any], Callable[[httpx.Response | Exception], bool]]] = {
    "timeout": ({}, lambda got: isinstance(got, httpx.ReadTimeout)),
    "reset": ({}, lambda got: isinstance(got, httpx.ReadError)),
    "truncated": ({}, lambda got: isinstance(got, httpx.RemoteProtocolError)),
    "status": ({"status": 502}, lambda got: isinstance(got, httpx.Response) and got.status_code == 502),
    "html": ({"status": 502}, lambda got: isinstance(got, httpx.Response) and "<html>" in got.text),
    "non_json": ({}, lambda got: isinstance(got, httpx.Response) and got.text == "upstream error: not json"),
    "huge": ({"status": 200, "size": 4096}, lambda got: isinstance(got, httpx.Response) and len(got.content) > 4096),
    "slow": ({"delay": 0.01}, lambda got: isinstance(got, httpx.Response) and got.status_code == 200),
}


def test_every_fault_kind_is_covered_here():
    assert set(FAULT_OUTCOMES) == set(FAULT_KINDS)


@pytest.mark.parametrize("kind", FAULT_KINDS)
def test_every_fault_kind_reaches_the_client(kind):
    options, observed = FAULT_OUTCOMES[kind]
    with vendor_fakes("aura", faults=[Fault(kind, times=1, **options)]) as aura, httpx.Client(timeout=5.0) as client:
        try:
            got: httpx.Response | Exception = client.get(read_url(aura), headers=auth(aura))
        except httpx.TransportError as error:
            got = error
        assert observed(got), got
        assert aura.faults[0].served == 1
        assert client.get(read_url(aura), headers=auth(aura)).status_code == 200  # times=1: over after one
    assert aura.calls.call_count == 2


def test_a_fault_switched_on_mid_test_applies_to_the_next_request():
    with vendor_fakes("nexor") as nexor, httpx.Client(base_url=nexor.base_url, headers=auth(nexor)) as client:
        assert client.get(f"/leads/{nexor.known_lead_id}").status_code == 200
        fault = nexor.add_fault("status", operation="GET /leads/{id}", status=503, retry_after=7)
        answer = client.get(f"/leads/{nexor.known_lead_id}")
        assert (answer.status_code, answer.headers["Retry-After"]) == (503, "7")
        assert client.post("/leads", json={"first_name": "Ada"}).status_code == 201  # another operation
        assert fault.served == 1


def _read(client: httpx.Client, nexor: VendorFake, **headers: str) -> httpx.Response:
    return client.get(f"/leads/{nexor.known_lead_id}", headers=headers)


DEFECT_OUTCOMES: dict[type[Defect], tuple[Defect, Callable[[httpx.Client, VendorFake], bool]]] = {
    SetValue: (SetValue(pointer="/email", value=42), lambda c, n: _read(c, n).json()["email"] == 42),
    DropField: (DropField(pointer="/email"), lambda c, n: "email" not in _read(c, n).json()),
    ReplaceStatus: (ReplaceStatus(status=200, new_status=500), lambda c, n: _read(c, n).status_code == 500),
    ReplaceBody: (ReplaceBody(body={"oops": True}), lambda c, n: _read(c, n).json() == {"oops": True}),
    ReplaceContentType: (
        ReplaceContentType(content_type="text/plain"),
        lambda c, n: _read(c, n).headers["Content-Type"] == "text/plain",
    ),
    AddHeaders: (
        AddHeaders(headers={"Deprecation": "true"}),
        lambda c, n: _read(c, n).headers.get("Deprecation") == "true",
    ),
    AcceptAnyKey: (AcceptAnyKey(), lambda c, n: _read(c, n, **{"X-API-Key": "nxr_live_wrong"}).status_code == 200),
    EchoCredential: (EchoCredential(), lambda c, n: _read(c, n).json().get("echo") == n.api_key),
    Quirk: (
        Quirk(name="no_metadata_mapping"),
        lambda c, n: c.post("/leads", json={"first_name": "Ada", "plan": "pro"}).json()["lead"]["metadata"] == {},
    ),
}


def test_every_defect_is_covered_here():
    assert set(DEFECT_OUTCOMES) | {DropHeader} == set(DEFECTS)  # DropHeader: Nexor documents no headers to drop
    assert set(DEFECTS) == set(Defect.__subclasses__()), "every defect the fakes have is a switch here"


def test_drop_header_removes_a_documented_header():
    """On Aura, whose docs put X-RateLimit-* on every response (Nexor documents none to drop)."""
    with vendor_fakes("aura") as aura:
        assert "X-RateLimit-Limit" in httpx.get(read_url(aura), headers=auth(aura)).headers
        aura.add_defect(DropHeader(name="x-ratelimit-limit"))
        assert "X-RateLimit-Limit" not in httpx.get(read_url(aura), headers=auth(aura)).headers


@pytest.mark.parametrize("kind", list(DEFECT_OUTCOMES), ids=[defect.__name__ for defect in DEFECT_OUTCOMES])
@pytest.mark.parametrize("when", ["from the start", "mid-test"])
def test_every_defect_breaks_its_fact(kind, when):
    defect, broken = DEFECT_OUTCOMES[kind]
    initial = [defect] if when == "from the start" else []
    with vendor_fakes("nexor", defects=initial) as nexor, httpx.Client(base_url=nexor.base_url) as client:
        client.headers.update(auth(nexor))
        if when == "mid-test":
            assert not broken(client, nexor)
            nexor.add_defect(defect)
        assert broken(client, nexor)
        assert nexor.defects == [defect]


def test_quirks_are_checked_by_name():
    with vendor_fakes("nexor") as nexor:
        assert nexor.quirks == QUIRKS["nexor"]
        assert nexor.add_quirk("core_columns_in_metadata") in nexor.defects
        with pytest.raises(ValueError, match="nexor's fake has no quirk 'no_mapping'; its quirks: no_metadata_mapping"):
            nexor.add_quirk("no_mapping")
        with pytest.raises(TypeError, match="not a defect"):
            nexor.add_defect(Fault("timeout"))  # type: ignore[arg-type]


def test_the_quirk_table_is_the_names_the_fakes_check():
    """``QUIRKS`` lists, per vendor, every name the fake's handlers pass to ``has_quirk``."""
    checked: dict[str, set[str]] = {}
    for vendor in VENDORS:
        source = (ROOT / "contracts" / "fakes" / f"{vendor.name}.py").read_text(encoding="utf-8")
        names = {
            str(node.args[0].value)
            for node in ast.walk(ast.parse(source))
            if isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "has_quirk"
            and isinstance(node.args[0], ast.Constant)
        }
        if names:
            checked[vendor.name] = names
    assert {vendor: set(names) for vendor, names in QUIRKS.items()} == checked


def test_a_rate_limit_answers_429_with_the_vendors_headers():
    with vendor_fakes("aura", rate_limit=RateLimit(limit=2, window=60)) as aura:
        statuses = [httpx.get(read_url(aura), headers=auth(aura)) for _ in range(3)]
        assert [answer.status_code for answer in statuses] == [200, 200, 429]
        assert statuses[-1].json()["code"] == "RATE_LIMITED"
        assert statuses[-1].headers["X-RateLimit-Remaining"] == "0"
        assert int(statuses[-1].headers["X-RateLimit-Reset"]) > 0  # Aura documents no Retry-After: the reset
        assert "Retry-After" not in statuses[-1].headers
        limit = aura.limit_rate(1, 60)  # a fresh limit, mid-test
        assert [httpx.get(read_url(aura), headers=auth(aura)).status_code for _ in range(2)] == [200, 429]
        assert limit.rejected == 1


# -- the pytest fixture, as users run it -----------------------------------------------------------

FIXTURE_SUITE = """
import httpx
import pytest

CLOSED_PORT = "http://127.0.0.1:1/"


def test_with_a_block(vendor_fakes):
    with vendor_fakes("nexor") as nexor:
        answer = httpx.get(f"{nexor.base_url}/leads/{nexor.known_lead_id}", headers={"X-API-Key": nexor.api_key})
    assert answer.json()["first_name"] == "Carlos"


def test_started_without_a_block(vendor_fakes):
    nexor = vendor_fakes("nexor").start()  # left running: the fixture stops it when the test ends
    assert httpx.post(f"{nexor.base_url}/leads", json={}, headers={"X-API-Key": nexor.api_key}).status_code == 400


def test_the_previous_mount_was_stopped(vendor_fakes):
    with pytest.raises(httpx.ConnectError):
        httpx.get(CLOSED_PORT)
    with vendor_fakes("nexor") as nexor:  # refused if the previous test's mount were still running
        assert nexor.calls.call_count == 0


def test_several_vendors(vendor_fakes):
    with vendor_fakes("nexor", "aura", faults={"aura": []}) as fakes:
        assert sorted(fakes) == ["aura", "nexor"]


def test_a_failure_inside_the_block_still_unmounts(vendor_fakes):
    with vendor_fakes("aura"):
        httpx.get("https://somewhere.example/")  # fails loudly: no fake routes it


def test_and_after_it(vendor_fakes):
    with pytest.raises(httpx.ConnectError):
        httpx.get(CLOSED_PORT)
"""


def test_the_fixture_is_registered_by_the_plugin_with_its_help(pytester):
    result = pytester.runpytest("--fixtures", "-p", "no:cacheprovider")
    result.stdout.fnmatch_lines(["vendor_fakes*", "*the suite's verified fakes for your integration's tests*"])


def test_the_fixture_in_a_users_test_session(pytester):
    pytester.makepyfile(test_integration=FIXTURE_SUITE)
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(passed=5, failed=1)
    result.stdout.fnmatch_lines(["*test_a_failure_inside_the_block_still_unmounts*", "*AllMockedAssertionError*"])
