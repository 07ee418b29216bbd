"""The history's rows, and the cursor that says where a page ends.

A row is an attempt with its publication, or a publication that ended without
an attempt; :mod:`scheduler.storage.history` reads them, newest first, in
pages that continue after a :class:`HistoryCursor` (``142`` for attempt 142,
``p57`` for publication 57).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, ClassVar, Literal
from zoneinfo import ZoneInfo

from scheduler.storage.filters import export
from scheduler.storage.models import MAX_ROW_NUMBER

# At the same instant, publications sort after attempts (pages list them first).
_ATTEMPT, _PUBLICATION = 0, 1


@dataclass(frozen=True)
class HistoryCursor:
    """Where a page ends: an attempt (``142``) or a publication without one (``p57``)."""

    kind: Literal["attempt", "publication"]
    id: int

    @classmethod
    def parse(cls, value: int | str) -> HistoryCursor:
        """``142`` or ``"142"``: attempt 142; ``"p57"``: publication 57.

        :raises ValueError: for anything else.
        """
        text = str(value).strip()
        kind: Literal["attempt", "publication"] = "attempt"
        if text[:1] in ("p", "P"):
            kind, text = "publication", text[1:]
        if not text.isascii() or not text.isdigit():
            raise ValueError(f"{value!r} is not an attempt number (142) or a publication (p57)")
        if len(text) > 19 or int(text) > MAX_ROW_NUMBER:
            raise ValueError(f"{value!r} is larger than any row number")
        return cls(kind, int(text))

    def __str__(self) -> str:
        return str(self.id) if self.kind == "attempt" else f"p{self.id}"


@dataclass(frozen=True)
class HistoryRow:
    """One attempt with its publication, or a publication that ended without an
    attempt (see :mod:`scheduler.storage.history`). Times are aware UTC;
    ``cost_usd`` is what the platform is estimated to bill for the attempt, in US
    dollars (None for a publication without attempt, or one recorded before the bill)."""

    attempt_id: int | None
    started_at: datetime | None
    ended_at: datetime | None
    outcome: str | None
    http_status: int | None
    platform_code: str | None
    platform_message: str | None
    worker_id: str | None
    publication_id: int
    post_id: str
    account: str
    platform: str
    call: str
    language: str
    state: str
    platform_url: str | None
    scheduled_at: datetime
    cost_usd: float | None = None

    FIELDS: ClassVar[tuple[str, ...]] = (
        "attempt_id", "started_at", "ended_at", "outcome", "http_status", "platform_code",
        "platform_message", "worker_id", "publication_id", "post_id", "account", "platform",
        "call", "language", "state", "platform_url", "scheduled_at", "cost_usd",
    )  # fmt: skip
    TIMES: ClassVar[tuple[str, ...]] = ("started_at", "ended_at", "scheduled_at")

    @property
    def is_attempt(self) -> bool:
        """True for an attempt, False for a publication that ended without one."""
        return self.attempt_id is not None

    @property
    def at(self) -> datetime:
        """The row's time: when the attempt started, or when the publication ended."""
        moment = self.started_at if self.is_attempt else self.ended_at
        assert moment is not None  # started_at and updated_at are NOT NULL
        return moment

    @property
    def cursor(self) -> HistoryCursor:
        """Pass as ``before`` to get the rows after this one."""
        if self.attempt_id is not None:
            return HistoryCursor("attempt", self.attempt_id)
        return HistoryCursor("publication", self.publication_id)

    def sort_key(self) -> tuple[datetime, int, int]:
        """The history's order, ascending (pages list it descending)."""
        if self.attempt_id is not None:
            return (self.at, _ATTEMPT, self.attempt_id)
        return (self.at, _PUBLICATION, self.publication_id)

    def as_dict(self, zone: ZoneInfo | None = None) -> dict[str, Any]:
        """JSON-ready: UTC ISO times, plus ``*_local`` ones in ``zone``."""
        return export(self, zone, self.TIMES)
