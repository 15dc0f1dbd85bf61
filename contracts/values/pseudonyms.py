"""Stable synthetic stand-ins for the personal data of real leads (names, emails, phone numbers).

Recorded traffic (``contracts.transport.cassette``) keeps the shape of what a vendor answered but none of the
people in it. Each value is replaced by one derived from an HMAC-SHA256 of the value (keyed by ``salt``), so the
same input gives the same replacement within a run and across runs, and an echo of a name in a later response
still matches the request that sent it. The replacement keeps the format a spec checks:

* an email stays a valid email, ``<word><4 hex>@example.com``;
* a phone number keeps its ``+``, its separators and its count of digits (E.164 stays E.164), the first digit
  non-zero;
* a name stays one capitalised word per word of the original (lower case stays lower case).

Which values are personal is decided by the member's name (``first_name``, ``lastName``, ``email``,
``phone_number``, ``mobile`` ...) and, for emails and E.164 numbers, by the value itself wherever it sits.
The salt is public (``DEFAULT_SALT``), which is what makes the replacements stable across runs and machines; it
also means someone holding a list of candidate names or emails can test them against a cassette. Cassettes are
pseudonymised, not anonymised: keep live ones where you would keep the vendor's own logs.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from typing import Any

DEFAULT_SALT = "contracts-cassette-pseudonyms-v1"

NAMES = (
    "Alder", "Birch", "Cedar", "Dune", "Ember", "Fjord", "Garnet", "Heath", "Iris", "Juniper", "Kestrel", "Linden",
    "Marlow", "Nettle", "Onyx", "Pike", "Quill", "Rowan", "Sorrel", "Thorne", "Umber", "Vale", "Wren", "Yarrow",
    "Zinnia", "Basil", "Clover", "Dale", "Elm", "Fern", "Hazel", "Laurel",
)  # fmt: skip

_NAME_KEYS = frozenset(
    {
        "name", "firstname", "lastname", "fullname", "givenname", "familyname", "middlename", "surname",
        "contactname", "displayname", "leadname",
    }
)  # fmt: skip
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_E164 = re.compile(r"^\+[1-9]\d{6,14}$")
_PHONE_TEXT = re.compile(r"^\+?[\d\s().-]{7,}$")


def _key(name: str) -> str:
    return re.sub(r"[^a-z]", "", name.lower())


class Pseudonymizer:
    """Replaces names, emails and phone numbers inside JSON-like values with stable synthetic ones."""

    def __init__(self, salt: str = DEFAULT_SALT) -> None:
        self._salt = salt.encode()

    def _digest(self, kind: str, value: str) -> bytes:
        return hmac.new(self._salt, f"{kind}\0{value}".encode(), hashlib.sha256).digest()

    def name(self, value: str) -> str:
        """Each word of ``value`` -> a capitalised synthetic word (lower case stays lower case)."""

        def word(match: re.Match[str]) -> str:
            original = match.group(0)
            choice = NAMES[int.from_bytes(self._digest("name", original.lower())[:4], "big") % len(NAMES)]
            return choice.lower() if original.islower() else choice

        return re.sub(r"[^\W\d_]+", word, value)

    def email(self, value: str) -> str:
        digest = self._digest("email", value.lower())
        word = NAMES[digest[0] % len(NAMES)].lower()
        return f"{word}{digest[1:3].hex()}@example.com"

    def phone(self, value: str) -> str:
        """Every digit replaced (the first one non-zero), every other character kept where it was."""
        digest = self._digest("phone", re.sub(r"\D", "", value))
        out: list[str] = []
        index = 0
        for char in value:
            if char.isdigit():
                digit = digest[index % len(digest)] % 10
                out.append(str(digit if index or digit else 1 + digest[-1] % 9))
                index += 1
            else:
                out.append(char)
        return "".join(out)

    def value(self, value: Any, *, key: str = "") -> Any:
        """``value`` with the personal data in it replaced; ``key`` is the member name it sits under."""
        if isinstance(value, dict):
            return {name: self.value(item, key=str(name)) for name, item in value.items()}
        if isinstance(value, list):
            return [self.value(item, key=key) for item in value]
        if not isinstance(value, str) or not value:
            return value
        return self.text(value, key=key)

    def text(self, value: str, *, key: str = "") -> str:
        """One string under the member (or query parameter) ``key``."""
        member = _key(key)
        if _EMAIL.match(value):
            return self.email(value)
        if _E164.match(value) or (("phone" in member or "mobile" in member) and _PHONE_TEXT.match(value)):
            return self.phone(value)
        if member in _NAME_KEYS or member.endswith(("firstname", "lastname", "fullname")):
            return self.name(value)
        return value
