"""In-process fakes of each vendor, written from the vendors' docs.

What other packages may use: the fakes' shared machinery is private (``_core``); serving them needs only the
"not served" answer and the rate limit, and ``contracts.testing`` (the fakes for our users' own tests) needs
the fake's base class and the switches it takes: defects (one documented fact broken) and faults (the fake
misbehaving as a network peer). All are exported here.
"""

from __future__ import annotations

from contracts.fakes._core import (
    NOT_SERVED_BODY,
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

__all__ = [
    "NOT_SERVED_BODY",
    "AcceptAnyKey",
    "AddHeaders",
    "Defect",
    "DropField",
    "DropHeader",
    "EchoCredential",
    "FakeVendor",
    "Fault",
    "Quirk",
    "RateLimit",
    "ReplaceBody",
    "ReplaceContentType",
    "ReplaceStatus",
    "SetValue",
]
