"""How the history reads the attempts when filters narrow the publications: the
plan follows the share of publications that match, and never changes the rows."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session, sessionmaker

from scheduler.config import CampaignConfig
from scheduler.storage import history
from scheduler.storage.history_plan import choose_plan
from scheduler.storage.history_rows import HistoryRow
from scheduler.storage.models import Attempt, Publication
from scheduler.storage.models import PublicationState as State
from scheduler.storage.queries import QueueFilter
from scheduler.storage.sync import sync_posts
from tests.storage.conftest import NOW, make_post

Sessions = sessionmaker[Session]
DAY = datetime(2020, 11, 20, 9, 0, tzinfo=UTC)
ACCOUNTS = ("x-main", "facebook-main")


@pytest.fixture
def store(sessions: Sessions, config: CampaignConfig) -> Sessions:
    """Ten posts on two accounts (twenty publications), the first one failed, the
    rest published; three attempts each, a minute apart, interleaved in time."""
    posts = [
        make_post(f"p{n}-en", publish_at=DAY + timedelta(hours=n), targets=ACCOUNTS)
        for n in range(10)
    ]
    sync_posts(sessions, posts, config, now=NOW)
    with sessions.begin() as session:
        ids = list(session.scalars(select(Publication.id).order_by(Publication.id)))
        session.execute(update(Publication).values(state=State.PUBLISHED))
        session.execute(
            update(Publication).where(Publication.id == ids[0]).values(state=State.FAILED)
        )
        session.execute(
            insert(Attempt),
            [
                {
                    "publication_id": publication_id,
                    "worker_id": "w",
                    "started_at": DAY + timedelta(minutes=3 * slot + attempt),
                    "outcome": "transient" if attempt < 2 else "published",
                }
                for attempt in range(3)
                for slot, publication_id in enumerate(ids)
            ],
        )
    return sessions


def _far_attempt_id(sessions: Sessions, attempt_id: int) -> None:
    """One more attempt numbered ``attempt_id``: max(id) stands for the attempts."""
    with sessions.begin() as session:
        publication_id = session.scalars(select(Publication.id)).first()
        session.add(
            Attempt(id=attempt_id, publication_id=publication_id, worker_id="w", started_at=DAY)
        )


def test_the_plan_follows_the_share_that_matches(store: Sessions) -> None:
    with store() as session:
        assert choose_plan(session, QueueFilter(), 50) is None  # nothing to narrow
        assert choose_plan(session, QueueFilter(calls=("livelihoods",)), 50) == "none"
        assert choose_plan(session, QueueFilter(states=(State.MISSED,)), 50) == "none"
    sqlite = store.kw["bind"].dialect.name == "sqlite"
    _far_attempt_id(store, 1_000_000)
    with store() as session:
        published = choose_plan(session, QueueFilter(states=(State.PUBLISHED,)), 50)
        failed = choose_plan(session, QueueFilter(states=(State.FAILED,)), 50)
        export = choose_plan(session, QueueFilter(states=(State.PUBLISHED,)), None)
    # 19 of 20 match: walking finds 50 rows at once; 1 of 20 over a million
    # attempts: 0.05 ** 2 * 1e6 = 2,500 >= 50, still a walk; a whole export gathers.
    assert (published, failed, export) == (
        ("by_time", "by_time", "by_publication") if sqlite else (None, None, None)
    )
    with store() as session:
        rare = choose_plan(session, QueueFilter(states=(State.FAILED,)), 5_000)
    assert rare == ("by_publication" if sqlite else None)  # 2,500 < 5,000


@pytest.mark.parametrize(
    "filters",
    [
        QueueFilter(states=(State.FAILED,)),
        QueueFilter(states=(State.PUBLISHED,)),
        QueueFilter(accounts=("facebook-main",), states=(State.PUBLISHED,)),
        QueueFilter(languages=("en",), since=DAY + timedelta(minutes=10)),
        QueueFilter(calls=("livelihoods",)),
    ],
)
def test_every_plan_reads_the_same_rows(store: Sessions, filters: QueueFilter) -> None:
    pages = {}
    with store() as session:
        for plan in (None, "none", "by_time", "by_publication"):
            if plan == "none" and choose_plan(session, filters, 7) != "none":
                continue
            query = history.attempts_query(filters, ("published", "transient"), None, plan)
            pages[plan] = [row.id for row in session.execute(query.limit(7))]
    expected = pages.pop(None)
    assert all(found == expected for found in pages.values()), pages
    assert (expected == []) == bool(filters.calls)  # no post has that call


def test_a_plan_the_history_chose_pages_without_gaps(store: Sessions) -> None:
    filters = QueueFilter(accounts=("x-main",))
    seen: list[HistoryRow] = []
    with store() as session:
        before = None
        while page := history.history(session, filters, before=before, limit=4):
            seen += page
            before = page[-1].cursor
        exported = list(history.iter_history(session, filters))
    assert len({row.attempt_id for row in seen}) == len(seen) == 30  # 10 posts, 3 tries
    assert [row.started_at for row in seen] == sorted(
        (row.started_at for row in seen), reverse=True
    )
    assert exported == seen


def test_walking_the_attempts_needs_no_sort_on_sqlite(sqlite_sessions: Sessions) -> None:
    """The plan, not a stopwatch: with ``likely()`` SQLite walks the time index even
    for a filter on an indexed column, which it would otherwise gather and sort."""
    filters = QueueFilter(states=(State.PUBLISHED,), accounts=("x-main",))
    plans = {}
    with sqlite_sessions() as session:
        for plan in (None, "by_time"):
            query = history.attempts_query(filters, (), None, plan).limit(50)
            compiled = query.compile(session.get_bind(), compile_kwargs={"literal_binds": True})
            explained = session.connection().exec_driver_sql(f"EXPLAIN QUERY PLAN {compiled}")
            plans[plan] = " | ".join(str(row[-1]) for row in explained)
    assert "TEMP B-TREE" in plans[None]  # what --state published cost: 1.7 s at 1M
    assert "SCAN attempts USING INDEX ix_attempts_started_at_id" in plans["by_time"]
    assert "TEMP B-TREE" not in plans["by_time"]


def test_the_hint_keeps_statements_cacheable_and_apart() -> None:
    from scheduler.storage.history_plan import Likely

    def key(condition: Any) -> Any:
        return select(Publication.id).where(Likely(condition))._generate_cache_key()

    published = key(Publication.state.in_(["published"]))
    assert published is not None  # SQLAlchemy can cache it
    assert published == key(Publication.state.in_(["failed"]))  # only a value differs
    assert published != key(Publication.account_label.in_(["x-main"]))
