"""The suite's verified fakes, for the tests of your own integration.

A hand-written mock of a vendor is tied to nothing: it answers what its author believed. The fakes here are
the ones the contract suite checks against each vendor's spec on every change, so a test of your client
against them is a test against what the vendor's docs promise. ``vendor_fakes`` mounts a respx router that
answers each vendor's documented base URL from its in-process fake, for every httpx client (``httpx.Client``
and ``httpx.AsyncClient``) the code under test creates::

    from contracts import vendor_fakes

    with vendor_fakes("nexor") as nexor:
        lead = my_integration.push_lead(nexor.base_url, nexor.api_key, first_name="Ada")
        assert lead["id"] in nexor.leads
        assert nexor.calls.call_count == 2

Several vendors at once: ``with vendor_fakes("nexor", "aura") as fakes: fakes["aura"]``. Each mount has
fresh fakes (the docs' seeded records, no switch on). A request to any other URL fails loudly with respx's
``AllMockedAssertionError`` (a test never reaches the network); other respx routers mounted alongside keep
answering their own hosts. The pytest plugin shipped with the package offers the same as a fixture,
``vendor_fakes``, which also stops any mount a test left running.

Switches (``faults=``/``defects=``/``rate_limit=``, or mid-test on the handle: ``add_fault``,
``add_defect``, ``add_quirk``, ``limit_rate``, ``clear``):

* a fault makes the fake misbehave as a network peer: ``timeout``, ``reset``, ``truncated`` (raised as
  httpx's own transport errors), ``status`` (a 5xx or 429 with a JSON body), ``html``, ``non_json``,
  ``huge``, ``slow`` (``Fault.KINDS``), for every matching request or the first ``times`` of them;
* a defect breaks one documented fact in matching responses (``SetValue``, ``DropField``, ``ReplaceStatus``,
  ``ReplaceBody``, ``ReplaceContentType``, ``AddHeaders``, ``AcceptAnyKey``, ``EchoCredential``), and a
  quirk (``QUIRKS``) a documented behaviour (Nexor's metadata mapping);
* a rate limit makes the fake answer 429 with the vendor's headers beyond ``limit`` requests per ``window``.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator, Mapping
from types import TracebackType
from typing import Any, Generic, TypeVar, cast, overload

import httpx
import respx
from respx.models import CallList
from respx.patterns import parse_url_patterns

from contracts.engine.context import load_spec
from contracts.fakes import (
    AcceptAnyKey,
    AddHeaders,
    Defect,
    DropField,
    DropHeader,
    EchoCredential,
    FakeVendor,
    Fault,
    Quirk,
    RateLimit,
    ReplaceBody,
    ReplaceContentType,
    ReplaceStatus,
    SetValue,
)
from contracts.values.model import Vendor
from contracts.vendors import VENDORS, get_vendor

__all__ = [
    "DEFECTS",
    "FAULT_KINDS",
    "QUIRKS",
    "AcceptAnyKey",
    "AddHeaders",
    "Defect",
    "DropField",
    "DropHeader",
    "EchoCredential",
    "FakeVendor",
    "FakesMount",
    "Fault",
    "Quirk",
    "RateLimit",
    "ReplaceBody",
    "ReplaceContentType",
    "ReplaceStatus",
    "SetValue",
    "VendorFake",
    "VendorFakes",
    "VendorFakesFactory",
    "vendor_fakes",
]

FAULT_KINDS: tuple[str, ...] = Fault.KINDS
"""Every kind of fault the fakes serve (``Fault.__doc__`` says what each does)."""
DEFECTS: tuple[type[Defect], ...] = (
    SetValue,
    DropField,
    ReplaceStatus,
    ReplaceBody,
    ReplaceContentType,
    AddHeaders,
    DropHeader,
    AcceptAnyKey,
    EchoCredential,
    Quirk,
)
"""Every kind of defect: each breaks one documented fact in the responses it applies to."""
QUIRKS: Mapping[str, tuple[str, ...]] = {
    "nexor": (
        "no_metadata_mapping",
        "core_columns_in_metadata",
        "metadata_replaced",
        "put_replaces",
        "campaign_null_ignored",
        "tags_appended",
        "email_case_sensitive",
        "email_wins",
        "status_always_changed",
    ),
    "pollybot": (
        "put_replaces_metadata",
        "null_ignored",
        "delete_keeps_lead",
        "no_validation",
        "limit_capped",
        "page_over_limit",
        "status_filter_ignored",
        "search_ignores_email",
    ),
    "dialnexa": (
        "update_after_call_started",
        "update_merges_notes",
        "delete_keeps_lead",
        "delete_completed_campaign",
        "upload_counts_off_by_one",
        "workflow_delete_keeps_lead",
    ),
    "aura": (
        "cursor_loops",
        "repeat_item",
        "page_over_limit",
        "has_more_without_cursor",
        "limit_typed_as_number",
        "notes_appended",
    ),
}
"""The named behaviour switches (``Quirk``) each vendor's fake consults; a fake ignores any other name.

Kept equal to the names the fakes' handlers check by tests/test_testing.py: a misspelt quirk is refused
here instead of silently changing nothing.
"""

H = TypeVar("H", "VendorFake", "VendorFakes")


class VendorFake:
    """One vendor's fake, mounted at ``base_url``: its seeded state, the calls it got, and its switches."""

    def __init__(
        self, vendor: Vendor, fake: FakeVendor, base_url: str, route: respx.Route, router: respx.MockRouter
    ) -> None:
        self.vendor = vendor
        self.fake = fake
        """The in-process fake itself (a ``FakeVendor``), as the contract suite runs it."""
        self.base_url = base_url
        """The URL the fake answers below: the spec's server URL, or the ``base_url`` given."""
        self.route = route
        """The respx route to this fake (``route.call_count``, ``route.calls.last.request``)."""
        self.router = router
        """The respx router of the whole mount (every vendor in it)."""
        self.operations: tuple[str, ...] = tuple(served.label for served in fake.routes())
        """The operations the fake serves, as faults and defects name them (``GET /leads/{id}``)."""

    def __repr__(self) -> str:
        return f"<VendorFake {self.name} at {self.base_url}: {self.route.call_count} call(s)>"

    @property
    def name(self) -> str:
        return self.vendor.name

    @property
    def calls(self) -> CallList:
        """Every request this fake got (with its response; ``None`` for a transport fault), oldest first."""
        return self.route.calls

    @property
    def api_key(self) -> str:
        """The key the fake accepts (in the vendor's documented format; not a secret)."""
        return self.fake.api_key

    @property
    def restricted_key(self) -> str | None:
        """A key that authenticates without permission, for vendors that document a 403 (DialNexa)."""
        return self.fake.restricted_key

    @property
    def known_lead_id(self) -> str:
        """The id of the seeded lead (the docs' example record)."""
        return self.fake.known_lead_id

    @property
    def fixtures(self) -> Mapping[str, str]:
        """Ids of other seeded records, by name (Nexor's ``workflow_id`` of a workflow with call steps)."""
        return self.fake.fixtures

    @property
    def leads(self) -> dict[str, dict[str, Any]]:
        """The fake's leads by id, as stored: the seeded ones and every lead created since (live, mutable)."""
        leads: dict[str, dict[str, Any]] = getattr(self.fake, "leads")  # noqa: B009 (set by each fake's reset)
        return leads

    @property
    def quirks(self) -> tuple[str, ...]:
        """The quirk names this vendor's fake knows (``add_quirk``)."""
        return QUIRKS.get(self.name, ())

    @property
    def faults(self) -> list[Fault]:
        """The faults switched on, in the order the fake tries them (the fake's own list)."""
        return self.fake.faults

    @property
    def defects(self) -> list[Defect]:
        """The defects switched on (the fake's own list)."""
        return self.fake.defects

    # switches, also mid-test: the fake reads them on every request ------------------------------------

    def add_fault(
        self,
        kind: str,
        *,
        operation: str | None = None,
        status: int = 503,
        times: int | None = None,
        delay: float = 0.0,
        size: int = 0,
        retry_after: int | None = None,
    ) -> Fault:
        """Switch on a fault for ``operation`` (every operation when None), for ``times`` requests (all when None).

        ``kind`` is one of ``FAULT_KINDS``; the fault is returned (``fault.served`` counts the requests it hit).
        """
        fault = Fault(
            kind,
            operation=operation,
            status=status,
            times=times,
            delay=delay,
            size=size,
            retry_after=retry_after,
        )
        return self._add_fault(fault)

    def add_defect(self, defect: Defect) -> Defect:
        """Switch on a defect (``SetValue(operation="GET /leads/{id}", status=200, pointer="/email", value=1)``)."""
        if not isinstance(defect, Defect):
            raise TypeError(f"{defect!r} is not a defect; use one of {', '.join(d.__name__ for d in DEFECTS)}")
        if isinstance(defect, Quirk):
            self._check_quirk(defect.name)
        self._check_operation(defect.operation, "defect")
        self.fake.defects.append(defect)
        return defect

    def add_quirk(self, name: str) -> Quirk:
        """Switch on a documented behaviour broken by name (``QUIRKS``), e.g. Nexor's ``no_metadata_mapping``."""
        quirk = Quirk(name=name)
        self.add_defect(quirk)
        return quirk

    def limit_rate(self, limit: int, window: float) -> RateLimit:
        """Answer 429 (the vendor's body, ``Retry-After``, ``X-RateLimit-*``) beyond ``limit`` per ``window`` s."""
        self.fake.rate_limit = RateLimit(limit=limit, window=window)
        return self.fake.rate_limit

    def clear(self) -> None:
        """Switch every fault, defect and rate limit off (the seeded and created records stay)."""
        self.fake.faults.clear()
        self.fake.defects.clear()
        self.fake.rate_limit = None

    def reset(self) -> None:
        """Restore the seeded records (leads created since are gone); the switches stay as they are."""
        self.fake.reset()

    def _add_fault(self, fault: Fault) -> Fault:
        if not isinstance(fault, Fault):
            raise TypeError(f"{fault!r} is not a Fault")
        self._check_operation(fault.operation, "fault")
        self.fake.faults.append(fault)
        return fault

    def _check_operation(self, operation: str | None, what: str) -> None:
        if operation is not None and operation not in self.operations:
            raise ValueError(
                f"{self.name}'s fake serves no operation {operation!r} (for a {what}); "
                f"it serves: {', '.join(self.operations)}"
            )

    def _check_quirk(self, name: str) -> None:
        if name not in self.quirks:
            known = ", ".join(self.quirks) or "none"
            raise ValueError(f"{self.name}'s fake has no quirk {name!r}; its quirks: {known}")


class VendorFakes(Mapping[str, VendorFake]):
    """Several vendors' fakes mounted together, by vendor name (``fakes["aura"]``), in the order asked for."""

    def __init__(self, fakes: Mapping[str, VendorFake], router: respx.MockRouter) -> None:
        self._fakes = dict(fakes)
        self.router = router
        """The respx router of the mount: one route per vendor, named after it (``router.routes["aura"]``)."""

    def __getitem__(self, name: str) -> VendorFake:
        try:
            return self._fakes[name]
        except KeyError:
            raise KeyError(f"{name!r} is not mounted here; mounted: {', '.join(self._fakes)}") from None

    def __iter__(self) -> Iterator[str]:
        return iter(self._fakes)

    def __len__(self) -> int:
        return len(self._fakes)

    def __repr__(self) -> str:
        return f"<VendorFakes {', '.join(f'{n} at {f.base_url}' for n, f in self._fakes.items())}>"

    @property
    def calls(self) -> CallList:
        """Every request any of the fakes got, oldest first."""
        return self.router.calls


_MOUNTED: dict[str, str] = {}
"""Base URL -> vendor, for every mount running in this process (respx asks the first router that matches)."""
_MOUNTED_LOCK = threading.Lock()


def _overlap(a: str, b: str) -> bool:
    """Whether two base URLs' routes can match the same request (one is the other or below it)."""
    return a == b or a.startswith(b + "/") or b.startswith(a + "/")


class FakesMount(Generic[H]):
    """Fresh fakes for the vendors asked for, routed from their base URLs while started.

    A context manager (``with vendor_fakes("nexor") as nexor``), or ``start()``/``stop()`` (``setUp`` and
    ``addCleanup`` in a unittest). Used once: call ``vendor_fakes`` again for another mount.
    """

    def __init__(self, fakes: Mapping[str, VendorFake], router: respx.MockRouter, *, single: bool) -> None:
        self._fakes = dict(fakes)
        self._router = router
        self._handle: H = cast(H, next(iter(self._fakes.values())) if single else VendorFakes(self._fakes, router))
        self._state = "new"

    @property
    def running(self) -> bool:
        return self._state == "running"

    def start(self) -> H:
        """Mount the fakes and return the handle (a ``VendorFake``, or ``VendorFakes`` for several vendors)."""
        if self._state != "new":
            raise RuntimeError("this vendor_fakes mount was already used; call vendor_fakes() again for fresh fakes")
        with _MOUNTED_LOCK:
            for name, handle in self._fakes.items():
                for base_url, owner in _MOUNTED.items():
                    if _overlap(handle.base_url, base_url):
                        raise RuntimeError(
                            f"{name}'s fake cannot be mounted at {handle.base_url}: {owner}'s fake is mounted at "
                            f"{base_url} by a vendor_fakes still running (stop it first)"
                        )
            for handle in self._fakes.values():
                _MOUNTED[handle.base_url] = handle.name
            self._state = "running"
        try:
            self._router.start()
        except BaseException:
            self.stop()
            raise
        return self._handle

    def stop(self) -> None:
        """Unmount (idempotent). Calls recorded so far stay readable on the handle."""
        if self._state != "running":
            self._state = "stopped"
            return
        self._state = "stopped"
        try:
            # Not respx's defaults: those roll the routes back and forget their calls, and a test may assert on
            # the calls after its `with` block.
            self._router.stop(clear=False, reset=False)
        finally:
            with _MOUNTED_LOCK:
                for handle in self._fakes.values():
                    _MOUNTED.pop(handle.base_url, None)

    def __enter__(self) -> H:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()


_Option = TypeVar("_Option")


def _per_vendor(
    option: str, value: _Option | Mapping[str, _Option] | None, names: tuple[str, ...]
) -> dict[str, _Option]:
    """A per-vendor option: a mapping by vendor name, or a plain value when exactly one vendor is mounted."""
    if value is None:
        return {}
    if isinstance(value, Mapping):
        unknown = [key for key in value if key not in names]
        if unknown:
            raise ValueError(
                f"{option} names vendors not mounted here: {', '.join(unknown)} (mounted: {', '.join(names)})"
            )
        return dict(value)
    if len(names) != 1:
        raise ValueError(f"with several vendors, give {option} as a mapping by vendor name ({option}={{'nexor': ...}})")
    return {names[0]: value}


def _normalised_base_url(vendor: Vendor, fake: FakeVendor, base_url: str) -> str:
    url = httpx.URL(base_url)
    if url.scheme not in ("http", "https") or not url.host:
        raise ValueError(f"{vendor.name}: base_url must be an absolute http(s) URL, not {base_url!r}")
    if url.query or url.fragment:
        raise ValueError(f"{vendor.name}: base_url must have no query or fragment, not {base_url!r}")
    path = url.path.rstrip("/")
    if path != fake.server_path:
        # The fake routes the paths below its documented prefix; a proxy in front of the vendor with another
        # prefix would reach it with paths it does not serve.
        raise ValueError(
            f"{vendor.name}: base_url must end with the fake's server path {fake.server_path or '/'!r} "
            f"(the documented one), not {url.path!r}"
        )
    port = f":{url.port}" if url.port is not None else ""
    return f"{url.scheme}://{url.host}{port}{path}"


class VendorFakesFactory:
    """``vendor_fakes(*names, base_url=, defects=, faults=, rate_limit=)``: mount the suite's verified fakes.

    The pytest fixture ``vendor_fakes`` is one of these that stops, when the test ends, any mount it made that
    is still running; ``contracts.vendor_fakes`` stops its mounts only as they are exited.
    """

    def __init__(self, *, track: bool = False) -> None:
        self._tracked: list[FakesMount[Any]] | None = [] if track else None

    @overload
    def __call__(
        self,
        name: str,
        /,
        *,
        base_url: str | Mapping[str, str] | None = None,
        defects: Iterable[Defect] | Mapping[str, Iterable[Defect]] | None = None,
        faults: Iterable[Fault] | Mapping[str, Iterable[Fault]] | None = None,
        rate_limit: RateLimit | Mapping[str, RateLimit] | None = None,
    ) -> FakesMount[VendorFake]: ...

    @overload
    def __call__(
        self,
        /,
        *,
        base_url: Mapping[str, str] | None = None,
        defects: Mapping[str, Iterable[Defect]] | None = None,
        faults: Mapping[str, Iterable[Fault]] | None = None,
        rate_limit: Mapping[str, RateLimit] | None = None,
    ) -> FakesMount[VendorFakes]: ...

    @overload
    def __call__(
        self,
        first: str,
        second: str,
        /,
        *more: str,
        base_url: Mapping[str, str] | None = None,
        defects: Mapping[str, Iterable[Defect]] | None = None,
        faults: Mapping[str, Iterable[Fault]] | None = None,
        rate_limit: Mapping[str, RateLimit] | None = None,
    ) -> FakesMount[VendorFakes]: ...

    def __call__(
        self,
        *names: str,
        base_url: str | Mapping[str, str] | None = None,
        defects: Iterable[Defect] | Mapping[str, Iterable[Defect]] | None = None,
        faults: Iterable[Fault] | Mapping[str, Iterable[Fault]] | None = None,
        rate_limit: RateLimit | Mapping[str, RateLimit] | None = None,
    ) -> FakesMount[Any]:
        """Fresh fakes of the named vendors (every vendor when none is named), to mount with ``with``.

        One name gives a ``VendorFake``; several (or none) give ``VendorFakes``, by vendor name. Per vendor,
        ``base_url`` replaces the spec's server URL (PollyBot's is a placeholder, ``https://your-domain.com``:
        pass your workspace host), and ``defects``/``faults``/``rate_limit`` switch the fake's misbehaviour
        on from the start; each is a plain value for one vendor, or a mapping by vendor name.
        """
        single = len(names) == 1
        names = names or tuple(vendor.name for vendor in VENDORS)
        vendors = [_known_vendor(name) for name in names]
        if len(set(names)) != len(names):
            raise ValueError(f"a vendor is named twice: {', '.join(names)}")
        base_urls = _per_vendor("base_url", base_url, names)
        defect_lists = _per_vendor("defects", defects, names)
        fault_lists = _per_vendor("faults", faults, names)
        rate_limits = _per_vendor("rate_limit", rate_limit, names)
        router = respx.MockRouter(assert_all_mocked=True, assert_all_called=False)
        handles: dict[str, VendorFake] = {}
        for vendor in vendors:
            fake = cast(FakeVendor, vendor.fake(rate_limit=rate_limits.get(vendor.name)))
            url = _normalised_base_url(vendor, fake, base_urls.get(vendor.name) or load_spec(vendor).server_url)
            for name, other in handles.items():
                if _overlap(url, other.base_url):
                    raise ValueError(f"{vendor.name} and {name} cannot both be mounted at {url} and {other.base_url}")
            route = router.route(*parse_url_patterns(url, exact=False).values(), name=vendor.name)
            route.mock(side_effect=fake.httpx_handler)
            handle = VendorFake(vendor, fake, url, route, router)
            for defect in defect_lists.get(vendor.name, ()):
                handle.add_defect(defect)
            for fault in fault_lists.get(vendor.name, ()):
                handle._add_fault(fault)
            handles[vendor.name] = handle
        mount: FakesMount[Any] = FakesMount(handles, router, single=single)
        if self._tracked is not None:
            self._tracked.append(mount)
        return mount

    def close(self) -> None:
        """Stop every mount this factory made that is still running, newest first."""
        for mount in reversed(self._tracked or []):
            mount.stop()


def _known_vendor(name: str) -> Vendor:
    try:
        return get_vendor(name)
    except KeyError:
        raise ValueError(f"unknown vendor {name!r}; known vendors: {', '.join(v.name for v in VENDORS)}") from None


vendor_fakes = VendorFakesFactory()
"""``with vendor_fakes("nexor") as nexor:`` the suite's verified fakes (see this module's docstring)."""
