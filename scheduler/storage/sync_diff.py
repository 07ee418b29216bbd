"""What ``campaign sync`` reports: one entry per publication, grouped by kind."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


@dataclass(frozen=True)
class SyncEntry:
    """One line of the diff: ``account`` is None for a whole post (a draft, a
    renamed id); ``scheduled_at`` (aware UTC) is when it is due, when known."""

    post_id: str
    account: str | None
    detail: str
    scheduled_at: datetime | None = None

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready: times as ISO 8601 UTC."""
        return {
            "post_id": self.post_id,
            "account": self.account,
            "detail": self.detail,
            "scheduled_at": self.scheduled_at.isoformat() if self.scheduled_at else None,
        }


@dataclass
class SyncDiff:
    """What a sync did (or, in a dry run, would do), one entry per publication."""

    added: list[SyncEntry] = field(default_factory=list)
    changed: list[SyncEntry] = field(default_factory=list)
    cancelled: list[SyncEntry] = field(default_factory=list)
    unchanged: list[SyncEntry] = field(default_factory=list)
    conflicts: list[SyncEntry] = field(default_factory=list)
    live: list[SyncEntry] = field(default_factory=list)
    drafts: list[SyncEntry] = field(default_factory=list)
    dry_run: bool = False

    # ``live``: published posts whose file was removed, or set to cancelled or
    # draft, or that no longer target the account: still on the platform, and
    # each entry says how to take it down (``campaign withdraw``).
    SECTIONS = ("added", "changed", "cancelled", "unchanged", "conflicts", "live", "drafts")

    @property
    def writes(self) -> bool:
        """True when the sync changed (or would change) the queue."""
        return bool(self.added or self.changed or self.cancelled)

    def counts(self) -> dict[str, int]:
        """Number of entries per section, in :attr:`SECTIONS` order."""
        return {name: len(getattr(self, name)) for name in self.SECTIONS}

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready: every section as a list of entries, plus ``dry_run``."""
        data: dict[str, Any] = {
            name: [entry.as_dict() for entry in getattr(self, name)] for name in self.SECTIONS
        }
        data["dry_run"] = self.dry_run
        return data
