"""What the timeline and the history may be filtered on, and how rows export.

:class:`QueueFilter` is the store's filter; :func:`check_choice` checks a value
a person typed (``--platform twitter``) against the campaign's own values and
suggests the close ones, so a typo is an error rather than an empty answer.
"""

from __future__ import annotations

import difflib
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any, TypeVarTuple
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, Select

from scheduler.config import CampaignConfig
from scheduler.platforms import registry
from scheduler.storage.models import (
    ATTEMPT_OUTCOMES,
    UPCOMING_STATES,
    Post,
    Publication,
    PublicationState,
)

_Ts = TypeVarTuple("_Ts")


@dataclass(frozen=True)
class QueueFilter:
    """What to show; an empty tuple means "any". ``since`` (inclusive) and
    ``until`` (exclusive) are aware datetimes: the publication's time in the
    timeline, the row's time in the history (see :mod:`scheduler.storage.history`)."""

    platforms: tuple[str, ...] = ()
    accounts: tuple[str, ...] = ()
    calls: tuple[str, ...] = ()
    languages: tuple[str, ...] = ()
    states: tuple[PublicationState, ...] = ()
    since: datetime | None = None
    until: datetime | None = None

    @property
    def narrows_publications(self) -> bool:
        """True when a filter other than the time range is set."""
        return bool(self.platforms or self.accounts or self.calls or self.languages or self.states)

    def apply(
        self,
        query: Select[*_Ts],
        moment: Any,
        hint: Callable[[ColumnElement[bool]], ColumnElement[bool]] | None = None,
    ) -> Select[*_Ts]:
        """Add the filters to a query joining publications and posts; ``moment`` is the
        column the time range applies to; ``hint`` wraps each other condition (a
        query-planner hint, see :mod:`scheduler.storage.history_plan`)."""
        for column, values in (
            (Publication.platform, self.platforms),
            (Publication.account_label, self.accounts),
            (Post.call, self.calls),
            (Post.language, self.languages),
            (Publication.state, self.states),
        ):
            if values:
                condition: ColumnElement[bool] = column.in_(values)
                query = query.where(hint(condition) if hint else condition)
        if self.since is not None:
            query = query.where(moment >= self.since)
        if self.until is not None:
            query = query.where(moment < self.until)
        return query


def filter_choices(config: CampaignConfig) -> dict[str, list[str]]:
    """The values each filter accepts: ``platform``, ``account``, ``call``,
    ``language`` (from config.yaml), ``state`` (the publication states) and the
    history's ``outcome`` (an attempt's outcome, or the state a publication ended
    in without one)."""
    ended = [state.value for state in PublicationState if state not in UPCOMING_STATES]
    return {
        "platform": list(registry.platform_keys()),
        "account": [account.label for account in config.accounts],
        "call": list(config.calls),
        "language": list(config.languages),
        "state": [state.value for state in PublicationState],
        "outcome": list(dict.fromkeys([*ATTEMPT_OUTCOMES, *ended])),
    }


def _plain(text: str) -> str:
    """Lower case without accents: ``Français`` -> ``francais``."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def _alias(name: str, value: str, config: CampaignConfig) -> str | None:
    """The value a person most likely meant by a name the campaign spells otherwise."""
    plain = _plain(value)
    if name == "platform":  # a name people use that the campaign file spells otherwise
        meant = registry.from_alias(plain)
        return meant.key if meant is not None else None
    if name == "language":  # the language's name (Français), or a word it starts (french)
        for code, label in config.languages.items():
            if plain == _plain(label) or (len(plain) > len(code) and plain.startswith(code)):
                return code
    if name in ("state", "outcome"):
        return plain.replace("-", "_").replace(" ", "_")
    return None


def suggestions(value: str, choices: Iterable[str], alias: str | None = None) -> list[str]:
    """Up to three of ``choices`` close to ``value``: ``alias`` first when it is one of
    them, then the ones spelt alike."""
    listed = list(choices)
    found = [alias] if alias is not None and alias in listed else []
    found += difflib.get_close_matches(value.casefold(), listed, n=3, cutoff=0.6)
    return list(dict.fromkeys(found))[:3]


@dataclass(frozen=True)
class Rejected:
    """A filter value that is not one of the campaign's: what was given, what is
    allowed, and the close ones. ``message`` reads ``unknown language 'french'
    (did you mean fr?); languages are en, fr, es``; a platform's other names
    (:attr:`~scheduler.platforms.profile.PlatformProfile.aliases`) suggest its key."""

    name: str
    value: str
    allowed: tuple[str, ...]
    close: tuple[str, ...]

    @property
    def did_you_mean(self) -> str:
        return f" (did you mean {' or '.join(self.close)}?)" if self.close else ""

    @property
    def message(self) -> str:
        return (
            f"unknown {self.name} {self.value!r}{self.did_you_mean}; "
            f"{self.name}s are {', '.join(self.allowed)}"
        )


def check_choice(name: str, value: str, config: CampaignConfig) -> Rejected | None:
    """None when ``value`` is one of the campaign's ``name`` values (see
    :func:`filter_choices`), else what is wrong with it."""
    allowed = filter_choices(config)[name]
    if value in allowed:
        return None
    close = suggestions(value, allowed, _alias(name, value, config))
    return Rejected(name, value, tuple(allowed), tuple(close))


def iso(value: datetime | None, zone: ZoneInfo | None) -> str | None:
    """ISO 8601 of ``value`` as stored (UTC) or in ``zone``; None stays None."""
    if value is None:
        return None
    return (value.astimezone(zone) if zone else value).isoformat()


def export(row: Any, zone: ZoneInfo | None, times: tuple[str, ...]) -> dict[str, Any]:
    """A dataclass row as a JSON-ready dict: ``times`` in UTC ISO 8601, plus
    ``<name>_local`` in ``zone`` when one is given."""
    data: dict[str, Any] = asdict(row)
    for name in times:
        data[name] = iso(data[name], None)
        if zone is not None:
            data[f"{name}_local"] = iso(getattr(row, name), zone)
    return data
