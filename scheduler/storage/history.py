"""The history: every attempt, and every publication that ended without one.

A row is either an **attempt** (``attempt_id`` set; ``started_at`` is when the
try began) or a **publication that ended without an attempt**: no longer
queued and never tried (missed while no daemon ran, cancelled, settled by
hand). Such a row has ``attempt_id``, ``started_at`` and ``worker_id`` None;
its ``outcome`` is the publication's state (``missed``, ``cancelled``...),
``ended_at`` the publication's last change (when it was marked missed or
cancelled) and ``platform_message`` the reason (``last_error``, or who
cancelled it and why). Without these rows, ``campaign status``'s pointer
``campaign history --state missed`` would find nothing for posts that were
missed before any try.

Order: newest first by the row's time (:attr:`HistoryRow.at`); at the same
instant publications come before attempts, then the higher id first. Pages
continue after the last row shown (keyset paging with a :class:`HistoryCursor`,
written ``142`` for attempt 142 and ``p57`` for publication 57), never with
OFFSET. The first page stays fast on a large store: the attempts are read
backwards through the index on ``attempts (started_at, id)`` and stop after
``limit`` rows; the publications without an attempt are found among the
publications (far fewer than the attempts) through the index on their state,
with an anti-join on the attempts' ``publication_id`` index. With filters on
the publications (``--state``, ``--account``...), how to read the attempts is
chosen from the share that matches (:mod:`scheduler.storage.history_plan`).
The rows and the cursor are in :mod:`scheduler.storage.history_rows`.
"""

from __future__ import annotations

import heapq
import itertools
from collections.abc import Iterator
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, ScalarSelect, Select, and_, false, or_, select
from sqlalchemy.orm import Session

from scheduler.storage.filters import QueueFilter
from scheduler.storage.history_plan import Plan, choose_plan, hint_for, matching_publications
from scheduler.storage.history_rows import HistoryCursor, HistoryRow
from scheduler.storage.models import UPCOMING_STATES, Attempt, Post, Publication
from scheduler.storage.models import PublicationState as State

AnySelect = Select[*tuple[Any, ...]]
# No longer queued: a publication in one of these states with no attempt gets a row.
ENDED_STATES = frozenset(State) - UPCOMING_STATES


_HISTORY_COLUMNS = (
    Attempt.id, Attempt.started_at, Attempt.ended_at, Attempt.outcome, Attempt.http_status,
    Attempt.platform_code, Attempt.platform_message, Attempt.worker_id, Publication.id,
    Publication.post_id, Publication.account_label, Publication.platform, Post.call,
    Post.language, Publication.state, Publication.platform_url, Publication.scheduled_at,
    Attempt.cost_usd,
)  # fmt: skip
_ENDED_COLUMNS = (
    Publication.id, Publication.post_id, Publication.account_label, Publication.platform,
    Post.call, Post.language, Publication.state, Publication.platform_url,
    Publication.scheduled_at, Publication.updated_at, Publication.last_error,
    Publication.cancel_source, Publication.cancel_reason,
)  # fmt: skip
_STATE_INDEX = HistoryRow.FIELDS.index("state")


def _cursor_time(cursor: HistoryCursor) -> ScalarSelect[datetime]:
    if cursor.kind == "attempt":
        return select(Attempt.started_at).where(Attempt.id == cursor.id).scalar_subquery()
    return select(Publication.updated_at).where(Publication.id == cursor.id).scalar_subquery()


def attempts_query(
    filters: QueueFilter,
    outcomes: tuple[str, ...],
    cursor: HistoryCursor | None,
    plan: Plan | None = None,
) -> AnySelect:
    """The attempts' SELECT (columns in :attr:`HistoryRow.FIELDS` order), newest
    first, after ``cursor``, without a LIMIT; ``plan`` as
    :func:`~scheduler.storage.history_plan.choose_plan` chose it."""
    query: AnySelect = (
        select(*_HISTORY_COLUMNS)
        .select_from(Attempt)
        .join(Publication, Attempt.publication_id == Publication.id)
        .join(Post, Publication.post_id == Post.id)
    )
    if plan == "none":
        query = query.where(false())
    elif plan == "by_publication":
        query = query.where(matching_publications(filters))
    query = filters.apply(query, Attempt.started_at, hint_for(plan))
    if outcomes:
        query = query.where(Attempt.outcome.in_(outcomes))
    if cursor is not None:
        start = _cursor_time(cursor)
        # The plain range on started_at lets the index seek to the page's start;
        # the OR only settles ties between attempts that started at the same instant.
        query = query.where(Attempt.started_at <= start)
        if cursor.kind == "attempt":
            query = query.where(or_(Attempt.started_at < start, Attempt.id < cursor.id))
    return query.order_by(Attempt.started_at.desc(), Attempt.id.desc())


def history_query(filters: QueueFilter, outcomes: tuple[str, ...], before: int | None) -> AnySelect:
    """The attempts' part of the history (see :func:`attempts_query`), after attempt
    ``before``; what the benchmark and the query-plan test examine."""
    cursor = None if before is None else HistoryCursor("attempt", before)
    return attempts_query(filters, outcomes, cursor)


def ended_query(
    filters: QueueFilter, outcomes: tuple[str, ...], cursor: HistoryCursor | None
) -> AnySelect | None:
    """Publications that ended without an attempt, newest change first, after
    ``cursor``; None when ``outcomes`` rules them all out."""
    states = set(ENDED_STATES)
    if outcomes:
        states = {state for state in states if state.value in outcomes}
    if not states:
        return None
    tried = select(Attempt.id).where(Attempt.publication_id == Publication.id).exists()
    others = sorted(states - {State.PUBLISHED})
    candidates: list[ColumnElement[bool]] = [Publication.state.in_(others)] if others else []
    if State.PUBLISHED in states:
        # Nearly every publication ends published, after a try. A claim counts its
        # try in attempt_count (and opens its attempt) in one transaction, so only
        # those still at zero can be published without one (settled by hand): the
        # check keeps the index probes to the few that may be.
        candidates.append(
            and_(Publication.state == State.PUBLISHED, Publication.attempt_count == 0)
        )
    query: AnySelect = (
        select(*_ENDED_COLUMNS)
        .select_from(Publication)
        .join(Post, Publication.post_id == Post.id)
        .where(or_(*candidates), ~tried)
    )
    query = filters.apply(query, Publication.updated_at)
    if cursor is not None:
        at = _cursor_time(cursor)
        if cursor.kind == "attempt":
            query = query.where(Publication.updated_at < at)
        else:
            query = query.where(
                Publication.updated_at <= at,
                or_(Publication.updated_at < at, Publication.id < cursor.id),
            )
    return query.order_by(Publication.updated_at.desc(), Publication.id.desc())


def _attempt_row(values: Any) -> HistoryRow:
    items = list(values)
    items[_STATE_INDEX] = str(items[_STATE_INDEX])  # the plain value, not the enum
    return HistoryRow(*items)


def _ended_row(values: Any) -> HistoryRow:
    (publication_id, post_id, account, platform, call, language, state, url, scheduled_at,
     updated_at, last_error, cancel_source, cancel_reason) = values  # fmt: skip
    reason = last_error
    if state == State.CANCELLED and cancel_reason:
        who = {"operator": "an operator", "sync": "sync"}.get(cancel_source or "", "")
        reason = f"by {who}: {cancel_reason}" if who else cancel_reason
    return HistoryRow(
        attempt_id=None, started_at=None, ended_at=updated_at, outcome=str(state),
        http_status=None, platform_code=None, platform_message=reason, worker_id=None,
        publication_id=publication_id, post_id=post_id, account=account, platform=platform,
        call=call, language=language, state=str(state), platform_url=url,
        scheduled_at=scheduled_at,
    )  # fmt: skip


def _cursor(before: int | str | HistoryCursor | None) -> HistoryCursor | None:
    if before is None or isinstance(before, HistoryCursor):
        return before
    return HistoryCursor.parse(before)


def history(
    session: Session,
    filters: QueueFilter = QueueFilter(),
    *,
    outcomes: tuple[str, ...] = (),
    before: int | str | HistoryCursor | None = None,
    limit: int | None = 50,
) -> list[HistoryRow]:
    """One page of the history, newest first (see the module docstring).

    ``before`` is the :attr:`HistoryRow.cursor` of the previous page's last row (an
    int is an attempt id). ``outcomes`` filters on the attempt's outcome (a
    publication without an attempt has its state as outcome), ``filters.states`` on
    the publication's current state, ``filters.since``/``until`` on the row's time.
    ``limit`` None: no limit.

    :raises ValueError: a ``before`` that is not a cursor.
    """
    cursor = _cursor(before)
    attempts = attempts_query(filters, outcomes, cursor, choose_plan(session, filters, limit))
    ended = ended_query(filters, outcomes, cursor)
    if limit is not None:
        attempts = attempts.limit(limit)
        ended = None if ended is None else ended.limit(limit)
    rows = [_attempt_row(values) for values in session.execute(attempts)]
    if ended is not None:
        rows += [_ended_row(values) for values in session.execute(ended)]
    rows.sort(key=HistoryRow.sort_key, reverse=True)
    return rows if limit is None else rows[:limit]


def iter_history(
    session: Session,
    filters: QueueFilter = QueueFilter(),
    *,
    outcomes: tuple[str, ...] = (),
    before: int | str | HistoryCursor | None = None,
    limit: int | None = None,
) -> Iterator[HistoryRow]:
    """Like :func:`history`, every row by default, the attempts streamed in batches
    (for exports).

    :raises ValueError: a ``before`` that is not a cursor.
    """
    cursor = _cursor(before)
    ended_select = ended_query(filters, outcomes, cursor)
    attempts = attempts_query(filters, outcomes, cursor, choose_plan(session, filters, limit))
    if limit is not None:
        attempts = attempts.limit(limit)
        ended_select = None if ended_select is None else ended_select.limit(limit)
    # Read the (few) publications first, so only one result streams at a time.
    ended = [] if ended_select is None else [_ended_row(v) for v in session.execute(ended_select)]
    result = session.execute(attempts.execution_options(yield_per=1000))
    try:
        streamed = (_attempt_row(values) for values in result)
        merged = heapq.merge(streamed, ended, key=HistoryRow.sort_key, reverse=True)
        yield from merged if limit is None else itertools.islice(merged, limit)
    finally:
        # A page may stop before the attempts do: close PostgreSQL's server-side
        # cursor now rather than leave it to the garbage collector.
        result.close()
