"""Attempts: opening one for a claimed publication, and counting the tries used.

Opening an attempt reads the post's content at the claimed revision, so what is
published is exactly the claimed version (:class:`Claim`). The tries an attempt
uses up count against ``publishing.max_attempts``; the failure paths read that
history on demand (:func:`with_history`).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, bindparam, func, insert, select
from sqlalchemy.orm import Session, sessionmaker

from scheduler.storage.models import Attempt, Post, Publication
from scheduler.storage.writes import read_connection

# Attempt outcomes that use up one of ``publishing.max_attempts`` tries; rate
# limits and auth pauses wait instead and do not count.
COUNTED_OUTCOMES = ("transient", "crashed", "unknown")


@dataclass(frozen=True)
class Claim:
    """A publication this worker holds in ``publishing``, with the exact content claimed.

    ``text`` is the post's text for the publication's platform; ``media`` paths are
    relative to the media directory, ``alt_texts`` their alt texts in order (empty
    strings when none); ``video`` is ``{path, title, alt}`` or None;
    ``content_warning`` the words shown before the text where the platform has
    them (None: none); ``needs_reconcile`` says a create call may
    already have been applied. Two facts only the failure paths need are read on
    demand (:func:`with_history`): ``first_attempt_at`` (UTC), when the first try
    began (the start of the reconciliation window), and ``earlier_tries``, the
    earlier attempts that used up a try (transient errors, crashes); None until then.
    ``language`` is the post's; ``requeued_at`` when a person last queued the
    publication again (None: never), which with its id names the publication's
    create calls (:func:`scheduler.daemon.reconcile.post_request`).
    """

    publication_id: int
    attempt_id: int
    worker_id: str
    post_id: str
    account_label: str
    platform: str
    revision: int
    content_hash: str
    text: str
    media: tuple[str, ...]
    link: str | None
    scheduled_at: datetime
    claimed_at: datetime
    attempt_number: int
    needs_reconcile: bool
    previous_last_post_at: datetime | None
    new_claim: bool = True
    language: str | None = None
    requeued_at: datetime | None = None
    first_attempt_at: datetime | None = None
    earlier_tries: int | None = None
    alt_texts: tuple[str, ...] = ()
    video: dict[str, Any] | None = None
    content_warning: str | None = None
    link_card: dict[str, Any] | None = None

    def alt_text(self, index: int) -> str:
        """The alt text of ``media[index]`` (empty when it has none)."""
        return self.alt_texts[index] if index < len(self.alt_texts) else ""


class PostChanged(Exception):
    """The post changed between the claim's UPDATE and the read: claim again."""


_CONTENT = (
    select(
        Publication.post_id,
        Publication.account_label,
        Publication.platform,
        Publication.scheduled_at,
        Publication.attempt_count,
        Publication.needs_reconcile,
        Publication.requeued_at,
        Post.language,
        Post.revision,
        Post.content_hash,
        Post.texts,
        Post.media,
        Post.alt_texts,
        Post.video,
        Post.link,
        Post.content_warning,
        Post.link_card,
    )
    .join(Post, Post.id == Publication.post_id)
    .where(Publication.id == bindparam("pid"))
)
_OPEN_ATTEMPT = (
    insert(Attempt)
    .values(
        publication_id=bindparam("pid"),
        worker_id=bindparam("worker"),
        started_at=bindparam("now"),
    )
    .returning(Attempt.id)
)


def open_attempt(
    connection: Connection,
    publication_id: int,
    worker_id: str,
    now: datetime,
    *,
    previous_last_post_at: datetime | None,
    claimed_revision: int | None = None,
    new_claim: bool = True,
) -> Claim:
    """Open an attempt for a publication this worker holds and read its content.

    With ``claimed_revision``, the post must still be at that revision (else the
    transaction is retried: sync committed between the claim's UPDATE and this
    read). ``new_claim`` is False for a takeover (which did not count an attempt).

    :raises PostChanged: when the post is no longer at ``claimed_revision``; the
        claim rolls its transaction back and tries again.
    """
    row = connection.execute(_CONTENT, {"pid": publication_id}).one()
    if claimed_revision is not None and row.revision != claimed_revision:
        raise PostChanged
    attempt_id = connection.execute(
        _OPEN_ATTEMPT, {"pid": publication_id, "worker": worker_id, "now": now}
    ).scalar_one()
    texts = row.texts or {}
    return Claim(
        publication_id=publication_id,
        attempt_id=attempt_id,
        worker_id=worker_id,
        post_id=row.post_id,
        account_label=row.account_label,
        platform=row.platform,
        revision=row.revision,
        content_hash=row.content_hash,
        text=str(texts.get(row.platform, "")),
        media=tuple(str(item) for item in row.media or ()),
        alt_texts=tuple(str(item) for item in row.alt_texts or ()),
        video=dict(row.video) if row.video else None,
        link=row.link,
        content_warning=row.content_warning,
        link_card=dict(row.link_card) if row.link_card else None,
        scheduled_at=row.scheduled_at,
        claimed_at=now,
        attempt_number=row.attempt_count,
        needs_reconcile=row.needs_reconcile,
        previous_last_post_at=previous_last_post_at,
        new_claim=new_claim,
        language=row.language,
        requeued_at=row.requeued_at,
    )


def counted_tries(connection: Connection, publication_id: int, last: int) -> int:
    """Tries used up among the ``last`` attempts of the publication.

    Only the latest attempts count: ``campaign retry`` and ``resolve
    --not-published`` reset ``attempt_count``, which gives a fresh budget.
    """
    if last <= 0:
        return 0
    recent = (
        select(Attempt.outcome)
        .where(Attempt.publication_id == publication_id)
        .order_by(Attempt.id.desc())
        .limit(last)
        .subquery()
    )
    count = connection.scalar(
        select(func.count()).select_from(recent).where(recent.c.outcome.in_(COUNTED_OUTCOMES))
    )
    return int(count or 0)


def with_history(sessions: sessionmaker[Session], claim: Claim) -> Claim:
    """``claim`` with ``first_attempt_at`` and ``earlier_tries`` read (failure paths).

    :raises StorageError: when the database cannot be read.
    """
    if claim.first_attempt_at is not None and claim.earlier_tries is not None:
        return claim
    with read_connection(sessions) as connection:
        first = connection.scalar(
            select(func.min(Attempt.started_at)).where(
                Attempt.publication_id == claim.publication_id
            )
        )
        # The attempts of this round: attempt_count of them, plus the takeover's
        # own (a takeover does not count itself); the open one has no outcome yet.
        last = claim.attempt_number + (0 if claim.new_claim else 1)
        tries = counted_tries(connection, claim.publication_id, last)
    return dataclasses.replace(
        claim, first_attempt_at=first or claim.claimed_at, earlier_tries=tries
    )


def spent_usd(sessions: sessionmaker[Session]) -> dict[str, float]:
    """What the attempts recorded as billed, per account label, in US dollars
    (:attr:`~scheduler.storage.models.Attempt.cost_usd`; accounts with nothing
    recorded are absent).

    :raises StorageError: when the database cannot be read.
    """
    query = (
        select(Publication.account_label, func.sum(Attempt.cost_usd))
        .join(Attempt, Attempt.publication_id == Publication.id)
        .where(Attempt.cost_usd.is_not(None))
        .group_by(Publication.account_label)
    )
    with read_connection(sessions) as connection:
        return {label: float(total or 0) for label, total in connection.execute(query)}
