"""The history page: every attempt, and every publication that ended without
one (missed, cancelled), newest first, filtered by platform, account, call,
language, publication state and local dates, and the same rows as CSV.

The rows come from the store's history query (the one ``campaign history``
uses); pages continue from the last row shown (keyset paging), so the first
page stays fast however long the history grows.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy.orm import Session

from scheduler.clock import CALENDAR_RANGE, in_calendar
from scheduler.config import CampaignConfig
from scheduler.storage.filters import check_choice
from scheduler.storage.history_csv import history_csv_lines
from scheduler.storage.history_rows import HistoryCursor
from scheduler.storage.models import PublicationState
from scheduler.storage.queries import HistoryRow, QueueFilter, history, iter_history

PAGE_SIZE = 100
FILTER_NAMES = ("platform", "account", "call", "language", "state", "start", "end")


@dataclass(frozen=True)
class HistoryFilter:
    """What the history shows. Empty strings mean "any"; ``start`` and ``end``
    are local days in the campaign's zone, both included, on the row's time (when
    the try started, or when a publication without one ended); ``state`` is the
    publication's current state."""

    platform: str = ""
    account: str = ""
    call: str = ""
    language: str = ""
    state: str = ""
    start: date | None = None
    end: date | None = None
    problems: tuple[str, ...] = field(default=(), compare=False)

    def as_query(self) -> dict[str, str]:
        """The non-empty filters as query parameters (for links and the CSV export)."""
        values = {name: getattr(self, name) for name in FILTER_NAMES}
        return {name: str(value) for name, value in values.items() if value}

    def to_queue_filter(self, config: CampaignConfig) -> QueueFilter:
        """The store's filter: local days become aware instants at local midnight."""
        campaign = config.campaign
        return QueueFilter(
            platforms=(self.platform,) if self.platform else (),
            accounts=(self.account,) if self.account else (),
            calls=(self.call,) if self.call else (),
            languages=(self.language,) if self.language else (),
            states=(PublicationState(self.state),) if self.state else (),
            since=campaign.local_midnight(self.start) if self.start else None,
            until=campaign.local_midnight(self.end + timedelta(days=1)) if self.end else None,
        )


def _choice(params: Mapping[str, str], name: str, config: CampaignConfig) -> tuple[str, str]:
    value = params.get(name, "").strip()
    if not value:
        return "", ""
    rejected = check_choice(name, value, config)
    if rejected is not None:
        return "", f"unknown {name} {value!r} ignored{rejected.did_you_mean}"
    return value, ""


def _day(params: Mapping[str, str], name: str) -> tuple[date | None, str]:
    value = params.get(name, "").strip()
    if not value:
        return None, ""
    try:
        day = date.fromisoformat(value)
    except ValueError:
        return None, f"{name} date {value!r} ignored: use YYYY-MM-DD"
    if not in_calendar(day):
        return None, f"{name} date {value!r} ignored: use a date {CALENDAR_RANGE}"
    return day, ""


def parse_filter(params: Mapping[str, str], config: CampaignConfig) -> HistoryFilter:
    """Read the filters from query parameters; a value that is not one of the
    campaign's is dropped and named in ``problems`` rather than failing the page."""
    found: dict[str, str] = {}
    problems = []
    for name in ("platform", "account", "call", "language", "state"):
        found[name], problem = _choice(params, name, config)
        problems.append(problem)
    start, problem = _day(params, "start")
    problems.append(problem)
    end, problem = _day(params, "end")
    problems.append(problem)
    return HistoryFilter(**found, start=start, end=end, problems=tuple(p for p in problems if p))


def parse_before(params: Mapping[str, str]) -> HistoryCursor | None:
    """Where a later page starts (the ``before`` parameter: ``142`` or ``p57``), or
    None for the first page.

    :raises ValueError: for a value that is not a cursor (too large, not a number),
        with the reason in plain words.
    """
    value = params.get("before", "")
    return HistoryCursor.parse(value) if value.strip() else None


def load_history(
    session: Session, config: CampaignConfig, chosen: HistoryFilter, before: HistoryCursor | None
) -> tuple[list[HistoryRow], str | None]:
    """One page of :data:`PAGE_SIZE` rows, newest first, and the ``before`` value
    of the next page (None on the last page)."""
    rows = history(session, chosen.to_queue_filter(config), before=before, limit=PAGE_SIZE + 1)
    more = len(rows) > PAGE_SIZE
    rows = rows[:PAGE_SIZE]
    return rows, (str(rows[-1].cursor) if more else None)


def history_csv(session: Session, config: CampaignConfig, chosen: HistoryFilter) -> Iterator[str]:
    """Every matching row as CSV lines with a header, streamed from the store: the
    store's fields (UTC, ISO 8601) followed by the same times in the campaign's zone
    (``*_local``), as ``campaign history --csv`` writes them, formulas neutralised."""
    rows = iter_history(session, chosen.to_queue_filter(config))
    return history_csv_lines(rows, config.campaign.zone)
