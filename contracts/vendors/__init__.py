"""The vendors the suite knows, as data. Add a vendor by adding a module here and listing it in VENDORS."""

from __future__ import annotations

from contracts.values.model import Vendor
from contracts.vendors import aura, dialnexa, nexor, pollybot

VENDORS: tuple[Vendor, ...] = (nexor.VENDOR, pollybot.VENDOR, dialnexa.VENDOR, aura.VENDOR)


def get_vendor(name: str) -> Vendor:
    for vendor in VENDORS:
        if vendor.name == name:
            return vendor
    raise KeyError(f"unknown vendor {name!r}; known vendors: {', '.join(v.name for v in VENDORS)}")
