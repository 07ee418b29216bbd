"""What a person does to the queue: cancel, retry, resolve, pause and resume.

Every action runs in one transaction and writes an :class:`AuditEntry` per
publication it changes (who, when in UTC, why, and the move itself). The CLI,
the daemon and the dashboard all call these functions.

A target is a post id (the action applies to each of its publications that
may make the move, or only to ``account``'s) or a publication id (an int, as
the timeline and the history show it). Allowed moves:

=========  =========================================  ===============================
action     from                                       to
=========  =========================================  ===============================
cancel     pending, retrying, failed, missed,         cancelled (``cancel_source``
           needs_review                               ``operator``: sync keeps it so)
retry      failed, missed, needs_review               pending, due now, attempts reset
resolve    needs_review                               published (with the URL), or
                                                      pending, due now (not published)
=========  =========================================  ===============================

"Due now" sets ``next_attempt_at`` to the action's time (``scheduled_at`` keeps
the post's own time): the daemon measures lateness from ``next_attempt_at``, so
a retried post is not marked missed again at once.
"""

from __future__ import annotations

import getpass
import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from scheduler.errors import ConfigError, InvalidTransition, NotFoundError, StorageError
from scheduler.storage.database import writing
from scheduler.storage.models import AuditEntry, Hold, Post, PostStatus, Publication
from scheduler.storage.models import PublicationState as State

CANCEL_FROM = frozenset(
    {State.PENDING, State.RETRYING, State.FAILED, State.MISSED, State.NEEDS_REVIEW}
)
RETRY_FROM = frozenset({State.FAILED, State.MISSED, State.NEEDS_REVIEW})
RESOLVE_FROM = frozenset({State.NEEDS_REVIEW})
CAMPAIGN_SCOPE = "campaign"

# X: https://x.com/{user}/status/{id} [platforms.md 1]; Facebook: {page-id}_{post-id}
# appears in permalinks and is the Graph id of a Page post [platforms.md 2.5].
_X_STATUS = re.compile(r"/status(?:es)?/(\d+)")
_FACEBOOK_ID = re.compile(r"(\d+)_(\d+)")
_FACEBOOK_STORY = re.compile(r"story_fbid=(\d+).*?[?&]id=(\d+)")


def current_actor() -> str:
    """Who is acting: the operating system's user name, or ``unknown``."""
    try:
        return getpass.getuser()
    except (OSError, KeyError):
        return "unknown"


@dataclass(frozen=True)
class Change:
    """One publication's move: ``before`` and ``after`` are state values."""

    publication_id: int
    post_id: str
    account: str
    before: str
    after: str


@dataclass
class ActionResult:
    """What an action did; ``skipped`` lists (account, state) it could not move."""

    action: str
    changes: list[Change] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)


def account_scope(account: str | None) -> str:
    """The ``holds.scope`` of a pause: ``campaign`` or ``account:<label>``."""
    return f"account:{account}" if account else CAMPAIGN_SCOPE


def _publications(session: Session, target: str | int, account: str | None) -> list[Publication]:
    query = select(Publication).order_by(Publication.account_label)
    if isinstance(target, int):
        query = query.where(Publication.id == target)
    else:
        query = query.where(Publication.post_id == target)
        if account is not None:
            query = query.where(Publication.account_label == account)
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update()
    found = list(session.scalars(query))
    if found:
        return found
    if isinstance(target, int):
        raise NotFoundError("publication", str(target))
    if session.get(Post, target) is None:
        raise NotFoundError("post", target)
    raise NotFoundError("publication", f"{target}@{account}")


def _audit(
    session: Session,
    action: str,
    target: str,
    reason: str,
    actor: str,
    now: datetime,
    detail: str | None,
) -> None:
    session.add(
        AuditEntry(at=now, actor=actor, action=action, target=target, reason=reason, detail=detail)
    )


def _movable(
    publications: list[Publication], allowed: frozenset[State], wanted: State
) -> tuple[list[Publication], list[tuple[str, str]]]:
    chosen = [p for p in publications if p.state in allowed]
    skipped = [(p.account_label, p.state.value) for p in publications if p.state not in allowed]
    if not chosen:
        first = publications[0]
        label = f"{first.post_id}@{first.account_label}" if len(skipped) == 1 else first.post_id
        current = ", ".join(f"{account} {state}" for account, state in skipped)
        allowed_text = ", ".join(sorted(state.value for state in allowed))
        raise InvalidTransition(label, current, wanted.value, allowed_text)
    return chosen, skipped


def _move(
    sessions: sessionmaker[Session],
    action: str,
    target: str | int,
    account: str | None,
    allowed: frozenset[State],
    wanted: State,
    values: dict[str, Any],
    reason: str,
    actor: str | None,
    now: datetime,
    detail_suffix: str = "",
) -> ActionResult:
    if not reason.strip():
        raise ConfigError(f"`campaign {action}` needs a reason", where="--reason")
    result = ActionResult(action)
    with writing(sessions) as session:
        chosen, result.skipped = _movable(_publications(session, target, account), allowed, wanted)
        for publication in chosen:
            before = publication.state.value
            for key, value in {"state": wanted, "updated_at": now, **values}.items():
                setattr(publication, key, value)
            result.changes.append(
                Change(
                    publication.id,
                    publication.post_id,
                    publication.account_label,
                    before,
                    wanted.value,
                )
            )
            _audit(
                session,
                action,
                f"{publication.post_id}@{publication.account_label}",
                reason,
                actor or current_actor(),
                now,
                f"{before} -> {wanted.value}{detail_suffix}",
            )
    return result


def _requeue_values(now: datetime) -> dict[str, Any]:
    return {
        "next_attempt_at": now,
        "attempt_count": 0,
        "claimed_by": None,
        "lease_expires_at": None,
        "claimed_revision": None,
        "claimed_hash": None,
        "needs_reconcile": False,
        "last_error": None,
    }


def cancel(
    sessions: sessionmaker[Session],
    target: str | int,
    *,
    reason: str,
    now: datetime,
    account: str | None = None,
    actor: str | None = None,
) -> ActionResult:
    """Cancel what has not gone out (see the table above); sync will not re-queue it.

    :raises NotFoundError: no such post, publication or account on the post.
    :raises InvalidTransition: nothing targeted may be cancelled (published, say).
    :raises ConfigError: an empty reason.
    """
    values = {"cancel_source": "operator", "cancel_reason": reason}
    return _move(
        sessions,
        "cancel",
        target,
        account,
        CANCEL_FROM,
        State.CANCELLED,
        values,
        reason,
        actor,
        now,
    )


def retry(
    sessions: sessionmaker[Session],
    target: str | int,
    *,
    reason: str,
    now: datetime,
    account: str | None = None,
    actor: str | None = None,
) -> ActionResult:
    """Queue failed, missed or needs-review publications again, due at ``now``.

    :raises NotFoundError: no such post, publication or account on the post.
    :raises InvalidTransition: nothing targeted is failed, missed or needs review, or
        the post's file was removed or is no longer approved (restore it and sync).
    :raises ConfigError: an empty reason.
    """
    with writing(sessions) as session:
        for publication in _publications(session, target, account):
            post = publication.post
            if post.removed_at is not None or post.status != PostStatus.APPROVED:
                why = "removed" if post.removed_at is not None else post.status.value
                raise InvalidTransition(
                    f"{post.id} ({why})", why, "queued", "approved posts whose file exists"
                )
    return _move(
        sessions,
        "retry",
        target,
        account,
        RETRY_FROM,
        State.PENDING,
        _requeue_values(now),
        reason,
        actor,
        now,
    )


def platform_post_id_from_url(url: str) -> str | None:
    """The platform's post id read from a post's public URL, or None when unknown."""
    for pattern in (_X_STATUS, _FACEBOOK_ID):
        match = pattern.search(url)
        if match:
            return "_".join(match.groups())
    story = _FACEBOOK_STORY.search(url)
    return f"{story.group(2)}_{story.group(1)}" if story else None


def resolve(
    sessions: sessionmaker[Session],
    target: str | int,
    *,
    published_url: str | None,
    reason: str,
    now: datetime,
    account: str | None = None,
    actor: str | None = None,
) -> ActionResult:
    """Settle a needs-review publication: published at ``published_url``, or (None) not
    published, which puts it back in the queue due at ``now``.

    A post with several publications in review needs ``account`` when a URL is given.

    :raises NotFoundError: no such post, publication or account on the post.
    :raises InvalidTransition: the publication does not need review.
    :raises ConfigError: a URL that is not http(s), or an empty reason.
    :raises StorageError: a URL given for a post with several publications in review.
    """
    if published_url is None:
        return _move(
            sessions,
            "resolve",
            target,
            account,
            RESOLVE_FROM,
            State.PENDING,
            _requeue_values(now),
            reason,
            actor,
            now,
            " (not published)",
        )
    if not re.match(r"https?://\S+$", published_url):
        raise ConfigError(f"{published_url!r} is not a web address", where="--published")
    with writing(sessions) as session:
        chosen, _ = _movable(_publications(session, target, account), RESOLVE_FROM, State.PUBLISHED)
        if len(chosen) > 1:
            accounts = ", ".join(p.account_label for p in chosen)
            raise StorageError(
                f"{target} has several publications in review ({accounts}); name one with --account"
            )
        publication = chosen[0]
        started = [attempt.started_at for attempt in publication.attempts]
    values = {
        "platform_url": published_url,
        "platform_post_id": platform_post_id_from_url(published_url),
        "published_at": max(started) if started else now,
        "published_hash": publication.claimed_hash or publication.post.content_hash,
        "needs_reconcile": False,
        "lease_expires_at": None,
        "last_error": None,
    }
    return _move(
        sessions,
        "resolve",
        publication.id,
        None,
        RESOLVE_FROM,
        State.PUBLISHED,
        values,
        reason or f"confirmed published at {published_url}",
        actor,
        now,
        f" {published_url}",
    )


def pause(
    sessions: sessionmaker[Session],
    *,
    reason: str,
    now: datetime,
    account: str | None = None,
    actor: str | None = None,
) -> Hold:
    """Hold the whole campaign (or one account) until :func:`resume`.

    Pausing again replaces the reason. Every daemon checks the ``holds`` table
    before it claims a publication.

    :raises ConfigError: an empty reason.
    """
    if not reason.strip():
        raise ConfigError("`campaign pause` needs a reason", where="--reason")
    scope = account_scope(account)
    who = actor or current_actor()
    with writing(sessions) as session:
        hold = session.get(Hold, scope)
        if hold is None:
            hold = Hold(scope=scope, reason=reason, actor=who, since=now, until=None)
            session.add(hold)
        else:
            hold.reason, hold.actor = reason, who
        _audit(session, "pause", scope, reason, who, now, None)
    return hold


def resume(
    sessions: sessionmaker[Session],
    *,
    now: datetime,
    account: str | None = None,
    reason: str = "",
    actor: str | None = None,
) -> Hold:
    """Lift the pause of the campaign (or one account); returns the hold removed.

    :raises InvalidTransition: that scope is not paused.
    """
    scope = account_scope(account)
    who = actor or current_actor()
    with writing(sessions) as session:
        hold = session.get(Hold, scope)
        if hold is None:
            raise InvalidTransition(scope, "not paused", "resumed")
        session.delete(hold)
        _audit(
            session,
            "resume",
            scope,
            reason or "resumed",
            who,
            now,
            f"paused since {hold.since.isoformat()}",
        )
    return hold


def active_holds(session: Session, now: datetime) -> list[Hold]:
    """Pauses in force at ``now`` (aware UTC), campaign-wide first."""
    holds = session.scalars(select(Hold).order_by(Hold.scope != CAMPAIGN_SCOPE, Hold.scope))
    return [hold for hold in holds if hold.until is None or hold.until > now]


def hold_for(session: Session, account: str, now: datetime) -> Hold | None:
    """The pause that stops ``account`` at ``now`` (campaign-wide first), or None."""
    for hold in active_holds(session, now):
        if hold.scope in (CAMPAIGN_SCOPE, account_scope(account)):
            return hold
    return None
