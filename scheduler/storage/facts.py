"""What a database knows about itself: the campaign it belongs to, and whether
it is a rehearsal's.

- ``campaign_id``: recorded by the first ``campaign sync`` (or rehearsal) from
  ``campaign.id`` in config.yaml. From then on every command that opens the
  database with a config.yaml of another id is refused, naming both, so next
  year's campaign file can never publish into (or from) last year's queue.
- ``rehearsal_*``: written by ``campaign rehearse`` into its own database; every
  command and page that reads such a database says it is a rehearsal, and
  converts lateness from campaign time to real time with the recorded speed.

The facts live in the ``store_facts`` table, one row per key (the calendar
feed's token hash too, :mod:`scheduler.storage.feed_token`).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import Engine, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from scheduler.config import CampaignConfig
from scheduler.errors import CampaignError, ConfigError
from scheduler.storage.database import describe_url, open_database, reading
from scheduler.storage.models import AuditEntry, StoreFact

CAMPAIGN_ID = "campaign_id"
REHEARSAL_SPEED = "rehearsal_speed"
REHEARSAL_STARTED_AT = "rehearsal_started_at"
REHEARSAL_FAULTS = "rehearsal_faults"
FACT_KEYS = (CAMPAIGN_ID, REHEARSAL_SPEED, REHEARSAL_STARTED_AT, REHEARSAL_FAULTS)


@dataclass(frozen=True)
class Rehearsal:
    """A rehearsal's marks: ``speed`` campaign seconds per real second;
    ``started_at`` the campaign time (aware UTC) its clock started from;
    ``faults`` the fault plan (empty: none)."""

    speed: float
    started_at: datetime
    faults: str = ""

    def real_seconds(self, campaign_seconds: float) -> float:
        """How long ``campaign_seconds`` of the rehearsal's clock took in real time."""
        return campaign_seconds / self.speed


@dataclass(frozen=True)
class DatabaseFacts:
    """What :func:`read_facts` found; ``campaign_id`` None before the first sync,
    ``rehearsal`` None for a real campaign's database."""

    campaign_id: str | None = None
    rehearsal: Rehearsal | None = None

    @property
    def is_rehearsal(self) -> bool:
        return self.rehearsal is not None


def read_facts(session: Session) -> DatabaseFacts:
    """The database's facts (one small read)."""
    stored = {fact.key: fact.value for fact in session.scalars(select(StoreFact))}
    rehearsal = None
    if REHEARSAL_SPEED in stored:
        rehearsal = Rehearsal(
            speed=float(stored[REHEARSAL_SPEED]),
            started_at=datetime.fromisoformat(stored[REHEARSAL_STARTED_AT]),
            faults=stored.get(REHEARSAL_FAULTS, ""),
        )
    return DatabaseFacts(campaign_id=stored.get(CAMPAIGN_ID), rehearsal=rehearsal)


def mismatch(facts: DatabaseFacts, config: CampaignConfig, where: str) -> ConfigError | None:
    """The error for a config.yaml whose ``campaign.id`` is not the database's, else None.

    A database that has recorded no id yet accepts any config; a config without
    an id is refused by a database that has one (it cannot tell the campaigns apart).
    """
    stored = facts.campaign_id
    wanted = config.campaign.id
    if stored is None or stored == wanted:
        return None
    if wanted is None:
        return ConfigError(
            f"the database {where} belongs to the campaign {stored!r}, and config.yaml "
            "has no campaign.id",
            where="config.yaml campaign.id",
            hint=f"add `id: {stored}` under `campaign:` in config.yaml if it is that campaign; "
            "a new campaign gets its own database (`campaign new` sets one up)",
        )
    return ConfigError(
        f"the database {where} belongs to the campaign {stored!r}, but config.yaml is the "
        f"campaign {wanted!r}",
        where="config.yaml campaign.id",
        hint=f"point database_url in config.yaml at {wanted}'s own database (`campaign new` "
        f"sets one up), or put back `id: {stored}` if this file is still that campaign",
    )


def record_campaign_id(session: Session, config: CampaignConfig, now: datetime) -> None:
    """Record ``campaign.id`` in the database if it has none (in the caller's
    transaction); a config without an id records nothing.

    :raises ConfigError: when the database already belongs to another campaign.
    """
    facts = read_facts(session)
    refused = mismatch(facts, config, describe_url(session.get_bind().engine))
    if refused is not None:
        raise refused
    if facts.campaign_id is None and config.campaign.id is not None:
        session.add(StoreFact(key=CAMPAIGN_ID, value=config.campaign.id, recorded_at=now))


def mark_rehearsal(session: Session, rehearsal: Rehearsal, now: datetime) -> None:
    """Mark the database as a rehearsal's (in the caller's transaction)."""
    values = {
        REHEARSAL_SPEED: repr(rehearsal.speed),
        REHEARSAL_STARTED_AT: rehearsal.started_at.isoformat(),
        REHEARSAL_FAULTS: rehearsal.faults,
    }
    for key, value in values.items():
        session.merge(StoreFact(key=key, value=value, recorded_at=now))


@dataclass
class OpenedDatabase:
    """A checked database for one command: dispose of ``engine`` when done."""

    engine: Engine
    sessions: sessionmaker[Session]
    facts: DatabaseFacts


def open_campaign_database(url: str, config: CampaignConfig) -> OpenedDatabase:
    """Open the database at ``url`` for ``config``'s campaign.

    :raises SchemaError: when the schema is missing, older or newer (`campaign db upgrade`).
    :raises ConfigError: when the database belongs to another campaign (naming both ids).
    :raises StorageError: when it cannot be reached.
    """
    engine, sessions = open_database(url)
    try:
        with reading(sessions) as session:
            facts = read_facts(session)
        refused = mismatch(facts, config, describe_url(engine))
        if refused is not None:
            raise refused
    except BaseException:
        engine.dispose()
        raise
    return OpenedDatabase(engine, sessions, facts)


@contextmanager
def opened_for(url: str, config: CampaignConfig) -> Iterator[OpenedDatabase]:
    """:func:`open_campaign_database` as a context manager that disposes of the engine."""
    database = open_campaign_database(url, config)
    try:
        yield database
    finally:
        database.engine.dispose()


def rehearsal_words(facts: DatabaseFacts) -> str:
    """The line every reader of a rehearsal's database prints, or ``""`` for a real one."""
    rehearsal = facts.rehearsal
    if rehearsal is None:
        return ""
    return (
        f"REHEARSAL: this database holds a rehearsal against the local sandbox "
        f"({rehearsal.speed:,.0f}x faster than the campaign); nothing was posted for real"
    )


def is_rehearsal_database(path: Path) -> bool:
    """Whether the SQLite file at ``path`` holds a rehearsal (so a new rehearsal
    may replace it); False for anything else, readable or not."""
    try:
        engine, sessions = open_database(f"sqlite:///{path}", check=False)
    except CampaignError:
        return False
    try:
        with reading(sessions) as session:
            if read_facts(session).is_rehearsal:
                return True
            # Rehearsals made before the database carried its own mark.
            return bool(
                session.scalar(select(AuditEntry.id).where(AuditEntry.action == "rehearse"))
            )
    except (CampaignError, SQLAlchemyError):
        return False
    finally:
        engine.dispose()
