"""Bring the queue in line with the checked posts, in one transaction.

:func:`sync_posts` reads what is stored, plans every change in memory
(:mod:`scheduler.storage.sync_plan`), then writes the plan with bulk statements.
The rules, from issue 3:

- one publication per post and target account; a new post or target is queued
  (``pending``, due at the post's time);
- a changed time moves ``scheduled_at``/``next_attempt_at`` of pending (and
  retrying) publications; changed text bumps the post's ``revision``;
- once any publication of a post may be visible (``publishing``, ``published``,
  ``needs_review``) its content is frozen: an edit is reported as a conflict and
  nothing is re-published;
- a new id whose content matches a visible post is a conflict (a renamed id
  must not publish twice);
- a removed file, ``status: cancelled`` or ``status: draft`` cancels what has not
  gone out (history stays); restoring the post queues those publications again,
  but never one that was published; a publication already out is listed as
  ``live`` with the ``campaign withdraw`` command that takes it down;
- a withdrawn publication is never published again, even when its file comes
  back, nor is a new id with its content;
- drafts are listed, not queued;
- a second run with the same posts writes nothing.

Two writers at once: on SQLite the transaction begins IMMEDIATE (the write lock
is taken before the first read); on PostgreSQL sync takes a transaction-level
advisory lock (one sync at a time) and locks the publication rows it reads
(``FOR UPDATE``), so a daemon's claim either happens before the read (sync then
sees ``publishing`` and reports a conflict) or waits until sync commits (the
daemon then reads the new version).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, cast

from sqlalchemy import insert, select, text, update
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from scheduler.config import CampaignConfig
from scheduler.content.resolved import ResolvedPost
from scheduler.storage.database import describe_url, reading, writing
from scheduler.storage.facts import mismatch, read_facts, record_campaign_id
from scheduler.storage.models import Base, Post, Publication
from scheduler.storage.refusals import refusal
from scheduler.storage.sync_diff import SyncDiff, SyncEntry
from scheduler.storage.sync_plan import (
    POST_COLUMNS,
    PUBLICATION_COLUMNS,
    Plan,
    StoredPost,
    StoredPublication,
    plan_sync,
)

__all__ = ["SyncDiff", "SyncEntry", "sync_posts"]

_POSTS = Base.metadata.tables["posts"]
_PUBLICATIONS = Base.metadata.tables["publications"]
# Any constant works; it only has to be the same for every `campaign sync`.
_SYNC_ADVISORY_LOCK = 0x63616D70  # "camp"


def sync_posts(
    sessions: sessionmaker[Session],
    report_posts: list[ResolvedPost],
    config: CampaignConfig,
    *,
    now: datetime,
    dry_run: bool = False,
) -> SyncDiff:
    """Make the store match ``report_posts`` and return what changed.

    ``report_posts`` must be every post of the campaign (a post missing from it
    counts as a removed file), already checked without errors; ``now`` (aware
    UTC) stamps the rows written. With ``dry_run`` the diff is computed the same
    way and nothing is written.

    The first sync records ``campaign.id`` in the database
    (:mod:`scheduler.storage.facts`).

    :raises ConfigError: when a post targets an account config.yaml does not have,
        or the database belongs to another campaign (``campaign.id``).
    :raises StorageError: when the database refuses the change (nothing is written).
    """
    platforms: dict[str, str] = {account.label: account.platform for account in config.accounts}
    if dry_run:
        with reading(sessions) as session:
            refused = mismatch(read_facts(session), config, _where(session))
            if refused is not None:
                raise refused
            diff = _load_and_plan(session, report_posts, platforms, now, lock=False).diff
        diff.dry_run = True
        return diff
    with writing(sessions) as session:
        plan = _load_and_plan(session, report_posts, platforms, now, lock=True)
        # After the plan's lock: two first syncs at once record the id once.
        record_campaign_id(session, config, now)
        _apply(session, plan)
        return plan.diff


def _where(session: Session) -> str:
    return describe_url(session.get_bind().engine)


def _load_and_plan(
    session: Session,
    report_posts: list[ResolvedPost],
    platforms: dict[str, str],
    now: datetime,
    *,
    lock: bool,
) -> Plan:
    postgres = session.get_bind().dialect.name == "postgresql"
    try:
        if lock and postgres:
            session.execute(
                text("SELECT pg_advisory_xact_lock(:key)"), {"key": _SYNC_ADVISORY_LOCK}
            )
        publications_query = select(*_columns(Publication, PUBLICATION_COLUMNS))
        if lock and postgres:
            publications_query = publications_query.with_for_update()
        publications = session.execute(publications_query.order_by(Publication.id)).all()
        posts = session.execute(select(*_columns(Post, POST_COLUMNS))).all()
    except SQLAlchemyError as error:
        raise refusal(error, "read the queue") from None
    return plan_sync(
        report_posts,
        cast(list[StoredPost], posts),
        cast(list[StoredPublication], publications),
        platforms,
        now,
    )


def _columns(model: type[Post] | type[Publication], names: tuple[str, ...]) -> list[Any]:
    return [getattr(model, name) for name in names]


def _apply(session: Session, plan: Plan) -> None:
    # Bulk statements by primary key: the ORM objects loaded above stay untouched,
    # so nothing is flushed behind our back and a dry run shares all the planning.
    # New rows go through Core inserts: the ORM's bulk insert adds a third to the time.
    if plan.new_posts:
        session.execute(insert(_POSTS), plan.new_posts)
    if plan.post_updates:
        session.execute(update(Post), plan.post_updates)
    if plan.new_publications:
        session.execute(insert(_PUBLICATIONS), plan.new_publications)
    if plan.publication_updates:
        session.execute(update(Publication), plan.publication_updates)
