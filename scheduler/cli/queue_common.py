"""What the queue commands share: their options, the opened database, local
times, and filters checked against the campaign file."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import typer
from sqlalchemy.orm import Session, sessionmaker

from scheduler.cli.common import console_note, load, parse_moment
from scheduler.config import (
    CampaignConfig,
    RuntimeSettings,
    dashboard_address,
    resolve_database_url,
)
from scheduler.errors import ConfigError
from scheduler.platforms import registry
from scheduler.storage.facts import DatabaseFacts, opened_for, rehearsal_words
from scheduler.storage.filters import QueueFilter, check_choice
from scheduler.storage.models import PublicationState
from scheduler.storage.receipts import link_for_people

__all__ = ["Context", "build_filters", "check_account", "checked", "opened", "parse_moment"]

MAX_ROWS = 1_000_000_000  # --limit: more rows than any campaign has, and within the driver
PlatformOption = typer.Option(
    [],
    "--platform",
    help=f"Only this platform ({', '.join(registry.platform_keys())}); repeatable.",
)
AccountFilter = typer.Option([], "--account", help="Only this account label; repeatable.")
CallOption = typer.Option([], "--call", help="Only this call (join-the-treaty...); repeatable.")
LanguageOption = typer.Option([], "--language", help="Only this language (en, fr, es); repeatable.")
StateOption = typer.Option([], "--state", help="Only publications in this state; repeatable.")
SinceOption = typer.Option(None, "--since", help="From this local date or time (inclusive).")
UntilOption = typer.Option(None, "--until", help="Up to this local date or time (exclusive).")
JsonOption = typer.Option(False, "--json", help="Print JSON instead of a table.")
AccountOption = typer.Option(None, "--account", help="Only this account's publication.")
ReasonOption = typer.Option(..., "--reason", help="Why (kept in the audit trail).")


@dataclass
class Context:
    """What a command works with: the campaign, its timezone and the database
    (``facts``: the campaign it belongs to, whether it is a rehearsal)."""

    config: CampaignConfig
    sessions: sessionmaker[Session]
    facts: DatabaseFacts = field(default_factory=DatabaseFacts)

    @property
    def zone(self) -> ZoneInfo:
        return self.config.campaign.zone

    @property
    def speed(self) -> float | None:
        """A rehearsal's speed (campaign seconds per real second); None for a real campaign."""
        rehearsal = self.facts.rehearsal
        return None if rehearsal is None else rehearsal.speed

    def link(self, url: str | None) -> str | None:
        """A publication's link as the terminal prints it: a rehearsal's link to
        what the sandbox received is a page of the dashboard, given in full."""
        return link_for_people(url, dashboard_address(self.config))

    def local(self, instant: datetime | None) -> str:
        """``2020-11-23 09:00`` in the campaign's timezone, or ``-``."""
        return instant.astimezone(self.zone).strftime("%Y-%m-%d %H:%M") if instant else "-"


def database_url_for(
    config: CampaignConfig, settings: RuntimeSettings, database_url: str | None
) -> str:
    """``--database-url``, else ``$CAMPAIGN_DATABASE_URL``, else config.yaml's."""
    return database_url or resolve_database_url(config, settings)


@contextmanager
def opened(config_path: Path | None, database_url: str | None) -> Iterator[Context]:
    """The campaign and a checked database for one command; disposed afterwards."""
    config, settings = load(config_path)
    with opened_for(database_url_for(config, settings, database_url), config) as database:
        context = Context(config, database.sessions, database.facts)
        if database.facts.is_rehearsal:
            say_rehearsal(database.facts)
        yield context


def say_rehearsal(facts: DatabaseFacts) -> None:
    """The rehearsal line, on stderr so that --json and --csv output stays data."""
    console_note(rehearsal_words(facts))


def checked(config: CampaignConfig, name: str, values: list[str], flag: str) -> tuple[str, ...]:
    """``values`` of filter ``name`` (platform, account, call, language, state,
    outcome), each one of the campaign's; ``state`` and ``outcome`` accept
    ``needs review`` and ``needs-review``.

    :raises ConfigError: naming ``flag``, with the close values ("did you mean").
    """
    found = []
    for value in values:
        if name in ("state", "outcome"):
            value = value.strip().replace(" ", "_").replace("-", "_")
        rejected = check_choice(name, value, config)
        if rejected is not None:
            raise ConfigError(rejected.message, where=flag)
        found.append(value)
    return tuple(found)


def check_account(config: CampaignConfig, account: str | None) -> None:
    """Refuse an ``--account`` that config.yaml does not have, suggesting close labels.

    :raises ConfigError: naming ``--account``.
    """
    if account is not None:
        checked(config, "account", [account], "--account")


def build_filters(
    context: Context,
    platform: list[str],
    account: list[str],
    call: list[str],
    language: list[str],
    state: list[str],
    since: str | None,
    until: str | None,
) -> QueueFilter:
    """The store's filter from the command's flags, each value checked.

    :raises ConfigError: a value that is not one of the campaign's, or a bad time.
    """
    config = context.config
    return QueueFilter(
        platforms=checked(config, "platform", platform, "--platform"),
        accounts=checked(config, "account", account, "--account"),
        calls=checked(config, "call", call, "--call"),
        languages=checked(config, "language", language, "--language"),
        states=tuple(
            PublicationState(value) for value in checked(config, "state", state, "--state")
        ),
        since=parse_moment(since, context.zone, "--since"),
        until=parse_moment(until, context.zone, "--until"),
    )
