"""How the vendor's docs back a fact, and so how hard a deviation from it fails.

A contract suite that fails a correct vendor gets muted, so a fact is only as binding as its evidence:

* ``stated``: the operation's own page says it, in prose or in a field table;
* ``shown``: every example on that page shows it, and nothing on the page contradicts it;
* ``contested``: the page contradicts itself, or another of the vendor's pages contradicts it;
* ``inferred``: the page is silent; the fact comes from another page or the vendor's conventions.

A deviation from a ``stated`` or ``shown`` fact breaks the contract; from a ``contested`` or ``inferred``
one it is a warning that names its evidence. A team that confirms a fact with the vendor records who
confirmed it and when (``confirmed``), which makes it binding whatever the docs say.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any


class Level(StrEnum):
    STATED = "stated"
    SHOWN = "shown"
    CONTESTED = "contested"
    INFERRED = "inferred"

    @property
    def binding(self) -> bool:
        return self in (Level.STATED, Level.SHOWN)


LEVELS = tuple(Level)
"""In order, from the most to the least binding."""


@dataclass(frozen=True)
class Confirmation:
    """The vendor confirmed a fact the docs leave open: who on our side got the confirmation, and when."""

    by: str
    on: str
    """An ISO date."""
    note: str = ""


@dataclass(frozen=True)
class Evidence:
    """The doc line a fact rests on, and how firmly."""

    level: Level
    source: str
    """The page (a URL, or a file under the vendor docs) the quote comes from."""
    quote: str
    """The doc line itself, verbatim or nearly."""
    confirmed: Confirmation | None = None

    @property
    def binding(self) -> bool:
        """A deviation breaks the contract: the docs state or show it, or the vendor confirmed it."""
        return self.confirmed is not None or self.level.binding

    def cite(self) -> str:
        """One line for a report: the level, the source and the quote (and the confirmation, if any)."""
        text = f'{self.level}: {self.source}: "{self.quote}"'
        if self.confirmed is not None:
            text += f" (confirmed with the vendor by {self.confirmed.by} on {self.confirmed.on})"
        return text

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"level": str(self.level), "source": self.source, "quote": self.quote}
        if self.confirmed is not None:
            data["confirmed"] = {"by": self.confirmed.by, "on": self.confirmed.on, "note": self.confirmed.note}
        return data

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Evidence:
        """From the spec's ``x-evidence`` (or a report's ``evidence``); raises ``ValueError`` when malformed."""
        try:
            level = Level(data["level"])
            source, quote = str(data["source"]), str(data["quote"])
        except (KeyError, ValueError, TypeError) as error:
            raise ValueError(
                f"evidence needs a level (one of {', '.join(LEVELS)}), a source and a quote: {data!r}"
            ) from error
        if not source.strip() or not quote.strip():
            raise ValueError(f"evidence needs a non-empty source and quote: {data!r}")
        confirmed = data.get("confirmed")
        confirmation = None
        if confirmed is not None:
            try:
                confirmation = Confirmation(
                    by=str(confirmed["by"]), on=str(confirmed["on"]), note=str(confirmed.get("note", ""))
                )
            except (KeyError, TypeError, AttributeError) as error:
                raise ValueError(f"a confirmation needs `by` and `on`: {confirmed!r}") from error
        return cls(level=level, source=source, quote=quote, confirmed=confirmation)
