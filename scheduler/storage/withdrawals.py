"""Withdrawing live posts: which publications a ``campaign withdraw`` may take
down, and recording each outcome in the history and the audit trail.

The platform call (the delete) happens between :func:`live_publications` and
:func:`record_withdrawn`, outside any transaction: a delete may take seconds.
The record is conditional on the publication still being ``published``, so two
withdrawals at once record it once; and since the platform's "not found" counts
as withdrawn, a withdrawal interrupted between the delete and the record is
finished by running the command again.

Each delete is recorded as an attempt (``withdrawn`` or ``withdraw_failed``, so
``campaign history`` shows it beside the publishing tries) and an audit entry
(action ``withdraw``: who, when, why, the move).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import update
from sqlalchemy.orm import Session, sessionmaker

from scheduler.errors import ConfigError, InvalidTransition
from scheduler.storage.actions import Skipped, platform_post_id_from_url, targeted
from scheduler.storage.audit import record_audit
from scheduler.storage.database import reading, writing
from scheduler.storage.models import Attempt, Publication, PublicationState


@dataclass(frozen=True)
class LivePost:
    """A published publication to take down: the platform's post id (None when
    neither the record nor its URL gives one) and its public link."""

    publication_id: int
    post_id: str
    account_label: str
    platform: str
    platform_post_id: str | None
    platform_url: str | None

    @property
    def label(self) -> str:
        return f"{self.post_id}@{self.account_label}"


def live_publications(
    sessions: sessionmaker[Session], target: str | int, account: str | None = None
) -> tuple[list[LivePost], list[Skipped]]:
    """The published publications ``target`` names (a post id, a message id, or a
    publication number), or only ``account``'s; and the others, with why they are
    left alone (``withdrawn`` already, or not live).

    :raises NotFoundError: no such post, message, publication, or account on it.
    :raises InvalidTransition: nothing targeted is live or withdrawn (a pending
        post is cancelled, not withdrawn; the message says so).
    """
    with reading(sessions) as session:
        publications, _posts = targeted(session, target, account, lock=False)
    live: list[LivePost] = []
    skipped: list[Skipped] = []
    for row in publications:
        if row.state == PublicationState.PUBLISHED:
            post_id = row.platform_post_id or (
                platform_post_id_from_url(row.platform_url) if row.platform_url else None
            )
            live.append(
                LivePost(
                    row.id, row.post_id, row.account_label, row.platform, post_id, row.platform_url
                )
            )
        else:
            skipped.append(Skipped(row.post_id, row.account_label, row.state.value))
    if not live and not any(item.why == PublicationState.WITHDRAWN for item in skipped):
        current = ", ".join(f"{item.post_id}@{item.account} {item.why}" for item in skipped)
        name = f"{target}@{account}" if account and not isinstance(target, int) else str(target)
        hint = "what has not gone out is stopped with `campaign cancel` instead"
        if any(item.why == PublicationState.NEEDS_REVIEW for item in skipped):
            hint = (
                "a post that needs review may be live: settle it first with `campaign resolve "
                "ID --account LABEL --published URL`, then withdraw it"
            )
        raise InvalidTransition(name, current, "withdrawn", "published publications", hint=hint)
    return live, skipped


def _attempt(
    live: LivePost,
    actor: str,
    now: datetime,
    outcome: str,
    message: str,
    http_status: int | None = None,
    platform_code: str | None = None,
) -> Attempt:
    """A delete call as the history shows it: an attempt that began and ended at ``now``."""
    return Attempt(
        publication_id=live.publication_id,
        worker_id=f"campaign withdraw ({actor})",
        started_at=now,
        ended_at=now,
        outcome=outcome,
        http_status=http_status,
        platform_code=platform_code,
        platform_message=message,
    )


def _reason(reason: str) -> str:
    text = " ".join(reason.split())
    if not text:
        raise ConfigError("`campaign withdraw` needs a reason", where="--reason")
    return text


def record_withdrawn(
    sessions: sessionmaker[Session],
    live: LivePost,
    *,
    reason: str,
    actor: str,
    now: datetime,
    how: str,
) -> bool:
    """Record that ``live`` is no longer on its platform (``how``: deleted now, or
    not found there): ``withdrawn`` at ``now`` (aware UTC), with an attempt and an
    audit entry. False (nothing written) when it is no longer ``published``
    (another withdrawal recorded it first).

    :raises ConfigError: an empty reason.
    :raises StorageError: when the database refuses.
    """
    why = _reason(reason)
    with writing(sessions) as session:
        moved = session.execute(
            update(Publication)
            .where(
                Publication.id == live.publication_id,
                Publication.state == PublicationState.PUBLISHED,
            )
            .values(state=PublicationState.WITHDRAWN, withdrawn_at=now, updated_at=now)
            .execution_options(synchronize_session=False)
        )
        if not getattr(moved, "rowcount", 0):
            return False
        session.add(_attempt(live, actor, now, "withdrawn", f"{how}: {why}"))
        where = f" {live.platform_url}" if live.platform_url else ""
        record_audit(
            session,
            "withdraw",
            live.label,
            why,
            actor,
            now,
            f"published -> withdrawn ({how}){where}",
        )
    return True


def record_withdraw_failed(
    sessions: sessionmaker[Session],
    live: LivePost,
    *,
    reason: str,
    actor: str,
    now: datetime,
    error: str,
    http_status: int | None = None,
    platform_code: str | None = None,
) -> None:
    """Record a delete that did not happen (the post may still be live): an attempt
    ``withdraw_failed`` with the platform's words, and an audit entry.

    :raises StorageError: when the database refuses.
    """
    why = _reason(reason)
    with writing(sessions) as session:
        session.add(
            _attempt(live, actor, now, "withdraw_failed", error, http_status, platform_code)
        )
        record_audit(
            session, "withdraw", live.label, why, actor, now, f"published, still live: {error}"
        )
