"""Keeping API keys out of everything the suite writes.

Keys are held in ``Secret`` (whose repr never shows the value) and every text
that leaves the suite passes through a ``Redactor`` that knows the values of
all configured keys and replaces them wherever they appear: headers, URLs,
echoed bodies, tracebacks.
"""

from __future__ import annotations

import base64
import logging
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote, quote_plus

MASK = "[REDACTED]"
MIN_SECRET_LENGTH = 6
"""Shorter values are refused as secrets: masking them would shred ordinary text."""


class Secret:
    """A credential whose value is only available through ``reveal()``."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return f"Secret({MASK})"

    __str__ = __repr__

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)

    def __bool__(self) -> bool:
        return bool(self._value)

    def __reduce__(self) -> Any:
        raise TypeError("a Secret cannot be pickled")


def _variants(value: str) -> Iterator[str]:
    """Spellings under which a key can appear in text: raw, URL-encoded, base64."""
    yield value
    yield quote(value, safe="")
    yield quote_plus(value)
    yield base64.b64encode(value.encode()).decode().rstrip("=")


class Redactor:
    """Replaces every known secret value (and its encoded variants) with a mask."""

    def __init__(self, secrets: Iterable[Secret | str] = ()) -> None:
        self._needles: dict[str, str] = {}
        for secret in secrets:
            self.add(secret)

    def add(self, secret: Secret | str, *, name: str = "") -> None:
        value = secret.reveal() if isinstance(secret, Secret) else secret
        if len(value) < MIN_SECRET_LENGTH:
            return
        for variant in _variants(value):
            if len(variant) >= MIN_SECRET_LENGTH:
                self._needles.setdefault(variant, name)

    def __bool__(self) -> bool:
        return bool(self._needles)

    def scrub(self, text: str) -> str:
        # Longest first, so a variant that contains another is replaced whole.
        for needle in sorted(self._needles, key=len, reverse=True):
            if needle in text:
                text = text.replace(needle, MASK)
        return text

    def scrub_value(self, value: Any) -> Any:
        """Scrub strings inside nested JSON-like values."""
        if isinstance(value, str):
            return self.scrub(value)
        if isinstance(value, dict):
            return {self.scrub(str(key)): self.scrub_value(item) for key, item in value.items()}
        if isinstance(value, list | tuple):
            return [self.scrub_value(item) for item in value]
        return value

    def contains_secret(self, text: str) -> bool:
        return any(needle in text for needle in self._needles)

    def scan(self, paths: Iterable[Path]) -> list[tuple[Path, str]]:
        """Files under ``paths`` that contain a secret, with the name the secret was registered under."""
        leaks: list[tuple[Path, str]] = []
        for root in paths:
            files = [root] if root.is_file() else sorted(p for p in root.rglob("*") if p.is_file())
            for file in files:
                data = file.read_bytes()
                for needle, name in self._needles.items():
                    if needle.encode() in data:
                        leaks.append((file, name or "an API key"))
                        break
        return leaks


def quarantine(redactor: Redactor, leaks: Iterable[tuple[Path, str]]) -> None:
    """Mask the secrets in files that leaked them, so that nothing published afterwards carries a key."""
    for path, _ in leaks:
        path.write_text(redactor.scrub(path.read_text(encoding="utf-8", errors="replace")), encoding="utf-8")


class RedactingFilter(logging.Filter):
    """A logging filter that scrubs secrets from every record's message and arguments."""

    def __init__(self, redactor: Redactor) -> None:
        super().__init__()
        self.redactor = redactor

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = self.redactor.scrub(record.getMessage())
        record.args = None
        return True
