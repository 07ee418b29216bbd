"""The history's rows for publications that ended without an attempt (missed,
cancelled), mixed with the attempts in one order and paged without gaps."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.orm import Session, sessionmaker

from scheduler import errors
from scheduler.config import CampaignConfig
from scheduler.storage import queries
from scheduler.storage.actions import cancel, resolve
from scheduler.storage.history import ended_query
from scheduler.storage.history_rows import HistoryCursor
from scheduler.storage.models import ATTEMPT_OUTCOMES, Attempt
from scheduler.storage.models import PublicationState as State
from scheduler.storage.queries import QueueFilter
from scheduler.storage.sync import sync_posts
from tests.storage.conftest import NOW, add_attempts, make_post, published_after_a_retry, set_state

Sessions = sessionmaker[Session]
DAY = datetime(2020, 11, 20, 9, 0, tzinfo=UTC)
MISSED_REASON = "missed: found 3 h 10 min late, beyond the 60-minute grace"


@pytest.fixture
def ended(sessions: Sessions, config: CampaignConfig) -> Sessions:
    """a-en: x-main tried twice then published, facebook-main missed without a try;
    b-fr: x-fr cancelled by an operator before any try; c-es: still pending."""
    posts = [
        make_post("a-en", publish_at=DAY),
        make_post("b-fr", text="Rejoignez", language="fr", targets=("x-fr",), publish_at=DAY),
        make_post("c-es", text="Únanse", language="es", targets=("x-es",), publish_at=DAY),
    ]
    sync_posts(sessions, posts, config, now=NOW)
    published_after_a_retry(sessions, "a-en", "x-main", DAY, timedelta(minutes=2))
    set_state(
        sessions, "a-en", "facebook-main", State.MISSED, last_error=MISSED_REASON,
        updated_at=DAY + timedelta(hours=3, minutes=10),
    )  # fmt: skip
    cancel(sessions, "b-fr", reason="wrong figure", now=DAY + timedelta(minutes=1), actor="ana")
    return sessions


def test_publications_that_ended_without_an_attempt_have_rows_of_their_own(
    ended: Sessions,
) -> None:
    with ended() as session:
        rows = queries.history(session)
    assert [(r.post_id, r.account, r.outcome, r.is_attempt) for r in rows] == [
        ("a-en", "facebook-main", "missed", False),
        ("a-en", "x-main", "published", True),
        ("b-fr", "x-fr", "cancelled", False),
        ("a-en", "x-main", "transient", True),
    ]
    missed, _, cancelled, _ = rows
    assert (missed.attempt_id, missed.started_at, missed.worker_id) == (None, None, None)
    assert missed.ended_at == missed.at == DAY + timedelta(hours=3, minutes=10)
    assert (missed.state, missed.platform_message) == ("missed", MISSED_REASON)
    assert cancelled.platform_message == "by an operator: wrong figure"
    assert str(cancelled.cursor) == f"p{cancelled.publication_id}"
    data = missed.as_dict()
    assert data["attempt_id"] is None and data["started_at"] is None
    assert data["ended_at"] == "2020-11-20T12:10:00+00:00"


def test_state_outcome_and_time_filters_apply_to_those_rows(ended: Sessions) -> None:
    with ended() as session:

        def seen(filters: QueueFilter = QueueFilter(), outcomes: tuple[str, ...] = ()) -> list[str]:
            rows = queries.history(session, filters, outcomes=outcomes)
            return [f"{r.post_id}@{r.account} {r.outcome}" for r in rows]

        assert seen(QueueFilter(states=(State.MISSED,))) == ["a-en@facebook-main missed"]
        assert seen(QueueFilter(states=(State.CANCELLED,))) == ["b-fr@x-fr cancelled"]
        assert seen(outcomes=("missed", "cancelled")) == [
            "a-en@facebook-main missed",
            "b-fr@x-fr cancelled",
        ]
        assert seen(outcomes=("transient",)) == ["a-en@x-main transient"]
        assert seen(QueueFilter(platforms=("facebook",))) == ["a-en@facebook-main missed"]
        assert seen(QueueFilter(since=DAY + timedelta(hours=1))) == ["a-en@facebook-main missed"]
        assert seen(QueueFilter(languages=("es",))) == []  # c-es is still queued


def test_a_publication_retried_after_a_cancel_keeps_only_its_attempts(ended: Sessions) -> None:
    """The row is for publications never tried; one with attempts shows those."""
    add_attempts(ended, "b-fr", "x-fr", Attempt(worker_id="w1", started_at=DAY, outcome="rejected"))
    with ended() as session:
        rows = queries.history(session, QueueFilter(accounts=("x-fr",)))
    assert [(r.outcome, r.state) for r in rows] == [("rejected", "cancelled")]


def test_a_publication_settled_by_hand_without_a_try_shows_its_link(ended: Sessions) -> None:
    set_state(ended, "c-es", "x-es", State.NEEDS_REVIEW)
    url = "https://x.com/banclusterbombs/status/1329000000000000003"
    resolve(ended, "c-es", published_url=url, reason="posted by hand", now=DAY)
    with ended() as session:
        rows = queries.history(session, QueueFilter(languages=("es",)))
    assert [(r.outcome, r.is_attempt, r.platform_url) for r in rows] == [("published", False, url)]


def test_pages_cover_attempts_and_ended_publications_without_gaps(
    sessions: Sessions, config: CampaignConfig
) -> None:
    """Ties at one instant between attempts and publications, paged 1, 2 and 3 at a time."""
    posts = [make_post(f"p{index}-en", text=f"Post {index}", publish_at=DAY) for index in range(4)]
    sync_posts(sessions, posts, config, now=NOW)
    for index in range(4):
        set_state(sessions, f"p{index}-en", "facebook-main", State.MISSED, updated_at=DAY)
        add_attempts(
            sessions,
            f"p{index}-en",
            "x-main",
            *(Attempt(worker_id="w", started_at=DAY + timedelta(minutes=m)) for m in (0, 0, -1)),
        )
    with sessions() as session:
        everything = [r.cursor for r in queries.history(session, limit=None)]
        assert [c for c in (r.cursor for r in queries.iter_history(session))] == everything
        assert len(everything) == 4 * 3 + 4 and len(set(everything)) == len(everything)
        for size in (1, 2, 3):
            seen: list[HistoryCursor] = []
            before: HistoryCursor | None = None
            while page := queries.history(session, before=before, limit=size):
                seen += [row.cursor for row in page]
                before = page[-1].cursor
            assert seen == everything
        cut = everything[5]
        assert [r.cursor for r in queries.iter_history(session, before=str(cut), limit=3)] == (
            everything[6:9]
        )


def test_history_cursors_read_as_people_write_them() -> None:
    assert HistoryCursor.parse(142) == HistoryCursor("attempt", 142)
    assert HistoryCursor.parse("142") == HistoryCursor("attempt", 142)
    assert HistoryCursor.parse("p57") == HistoryCursor("publication", 57)
    assert str(HistoryCursor("publication", 57)) == "p57"
    for bad in ("", "p", "abc", "-3", "p5x"):
        with pytest.raises(ValueError, match="attempt number"):
            HistoryCursor.parse(bad)


def test_the_ended_rows_never_scan_the_attempts_on_sqlite(sqlite_sessions: Sessions) -> None:
    """The plan, not a stopwatch: the anti-join probes the attempts' publication index."""
    query = ended_query(QueueFilter(), (), None)
    assert query is not None
    with sqlite_sessions() as session:
        compiled = query.limit(50).compile(
            session.get_bind(), compile_kwargs={"literal_binds": True}
        )
        explained = session.connection().exec_driver_sql(f"EXPLAIN QUERY PLAN {compiled}")
        plan = " | ".join(str(row[-1]) for row in explained)
    assert "ix_attempts_publication_id" in plan
    assert "SCAN attempts" not in plan
    assert ended_query(QueueFilter(), ("rejected",), None) is None


def test_every_outcome_a_failure_records_can_be_filtered_on() -> None:
    """``campaign history --outcome`` refuses values outside ATTEMPT_OUTCOMES: a new
    PublishError outcome must be listed there, or its attempts could not be found."""
    failures = [errors.PublishError, *_subclasses(errors.PublishError)]
    assert {failure.outcome for failure in failures} <= set(ATTEMPT_OUTCOMES)


def _subclasses(kind: type) -> list[type]:
    found = []
    for sub in kind.__subclasses__():
        found += [sub, *_subclasses(sub)]
    return found
