"""The vendors the suite knows, as data. Add a vendor by adding a module here and listing it in VENDORS."""

from __future__ import annotations

import re

from contracts.values.model import Vendor
from contracts.vendors import aura, dialnexa, nexor, pollybot

VENDORS: tuple[Vendor, ...] = (nexor.VENDOR, pollybot.VENDOR, dialnexa.VENDOR, aura.VENDOR)


def get_vendor(name: str) -> Vendor:
    for vendor in VENDORS:
        if vendor.name == name:
            return vendor
    raise KeyError(f"unknown vendor {name!r}; known vendors: {', '.join(v.name for v in VENDORS)}")


KEY_PATTERNS: tuple[re.Pattern[str], ...] = (
    re.compile(r"nxr_live_[A-Za-z0-9]{8,}"),
    re.compile(r"sk-workspace_[A-Za-z0-9]{8,}"),
    re.compile(r"aura_pk_live_[A-Za-z0-9]{8,}"),
)
"""The documented formats of the vendors' keys: text matching one is refused in a cassette (``contracts replay``)."""
