"""The history page: every attempt, newest first, filtered by platform, account,
call, language, publication state and local dates, and the same rows as CSV.

The rows come from the store's history query (the one ``campaign history``
uses); pages continue from the last attempt shown (keyset paging), so the
first page stays fast however long the history grows.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy.orm import Session

from scheduler.config import CampaignConfig
from scheduler.storage.models import PublicationState
from scheduler.storage.queries import HistoryRow, QueueFilter, history, iter_history

PAGE_SIZE = 100
FILTER_NAMES = ("platform", "account", "call", "language", "state", "start", "end")


@dataclass(frozen=True)
class HistoryFilter:
    """What the history shows. Empty strings mean "any"; ``start`` and ``end``
    are local days in the campaign's zone, both included, on the attempt's start;
    ``state`` is the publication's current state."""

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


def _choice(params: Mapping[str, str], name: str, allowed: Iterable[str]) -> tuple[str, str]:
    value = params.get(name, "").strip()
    if value and value not in set(allowed):
        return "", f"unknown {name} {value!r} ignored"
    return value, ""


def _day(params: Mapping[str, str], name: str) -> tuple[date | None, str]:
    value = params.get(name, "").strip()
    if not value:
        return None, ""
    try:
        return date.fromisoformat(value), ""
    except ValueError:
        return None, f"{name} date {value!r} ignored: use YYYY-MM-DD"


def parse_filter(params: Mapping[str, str], config: CampaignConfig) -> HistoryFilter:
    """Read the filters from query parameters; a value that is not one of the
    campaign's is dropped and named in ``problems`` rather than failing the page."""
    found: dict[str, str] = {}
    problems = []
    for name, allowed in (
        ("platform", ("x", "facebook")),
        ("account", [account.label for account in config.accounts]),
        ("call", list(config.calls)),
        ("language", list(config.languages)),
        ("state", [state.value for state in PublicationState]),
    ):
        found[name], problem = _choice(params, name, allowed)
        problems.append(problem)
    start, problem = _day(params, "start")
    problems.append(problem)
    end, problem = _day(params, "end")
    problems.append(problem)
    return HistoryFilter(**found, start=start, end=end, problems=tuple(p for p in problems if p))


def parse_before(params: Mapping[str, str]) -> int | None:
    """The ``before`` attempt id of a later page, or None for the first page."""
    try:
        return int(params.get("before", ""))
    except ValueError:
        return None


def load_history(
    session: Session, config: CampaignConfig, chosen: HistoryFilter, before: int | None
) -> tuple[list[HistoryRow], int | None]:
    """One page of :data:`PAGE_SIZE` attempts, newest first, and the ``before``
    value of the next page (None on the last page)."""
    rows = history(session, chosen.to_queue_filter(config), before=before, limit=PAGE_SIZE + 1)
    more = len(rows) > PAGE_SIZE
    rows = rows[:PAGE_SIZE]
    return rows, (rows[-1].attempt_id if more else None)


def _cell(value: object) -> str:
    text = "" if value is None else str(value)
    # A cell starting with = + - @ is run as a formula by spreadsheets
    # (CSV injection); a leading apostrophe keeps it text.
    if text[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + text
    return text


def history_csv(session: Session, config: CampaignConfig, chosen: HistoryFilter) -> str:
    """Every matching attempt as CSV with a header: the store's fields (UTC, ISO
    8601) followed by the same times in the campaign's zone (``*_local``)."""
    zone = config.campaign.zone
    buffer = io.StringIO()
    writer: csv.DictWriter[str] | None = None
    for row in iter_history(session, chosen.to_queue_filter(config)):
        data = row.as_dict(zone)
        if writer is None:
            writer = csv.DictWriter(buffer, fieldnames=list(data))
            writer.writeheader()
        writer.writerow({name: _cell(value) for name, value in data.items()})
    if writer is None:
        local = [f"{name}_local" for name in ("started_at", "ended_at", "scheduled_at")]
        csv.writer(buffer).writerow([*HistoryRow.FIELDS, *local])
    return buffer.getvalue()
