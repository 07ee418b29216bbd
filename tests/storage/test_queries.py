"""The timeline, the history and one post, as the CLI and the dashboard read them."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from scheduler.config import CampaignConfig
from scheduler.errors import NotFoundError
from scheduler.storage import queries
from scheduler.storage.actions import cancel
from scheduler.storage.models import Attempt, Publication
from scheduler.storage.models import PublicationState as State
from scheduler.storage.queries import QueueFilter
from scheduler.storage.sync import sync_posts
from tests.storage.conftest import NOW, make_post, published_after_a_retry

Sessions = sessionmaker[Session]
DAY = datetime(2020, 11, 20, 9, 0, tzinfo=UTC)


@pytest.fixture
def campaign(sessions: Sessions, config: CampaignConfig) -> Sessions:
    """Three posts (en on two accounts, fr, es), the en one published on X after a retry."""
    posts = [
        make_post("a-en", publish_at=DAY),
        make_post("b-fr", text="Rejoignez", language="fr", targets=("x-fr",), publish_at=DAY + timedelta(hours=2)),
        make_post("c-es", text="Únanse", language="es", call="save-lives", targets=("x-es",), publish_at=DAY + timedelta(hours=1)),
    ]  # fmt: skip
    sync_posts(sessions, posts, config, now=NOW)
    published_after_a_retry(sessions, "a-en", "x-main", DAY, timedelta(minutes=1))
    return sessions


def test_the_timeline_lists_what_is_still_to_go_out_in_time_order(campaign: Sessions) -> None:
    with campaign() as session:
        rows = queries.timeline(session)
    assert [(r.post_id, r.account) for r in rows] == [
        ("a-en", "facebook-main"),
        ("c-es", "x-es"),
        ("b-fr", "x-fr"),
    ]
    assert rows[1].text == "Únanse"
    assert rows[0].scheduled_at == DAY


def test_timeline_filters(campaign: Sessions) -> None:
    with campaign() as session:

        def ids(filters: QueueFilter) -> list[str]:
            return [f"{r.post_id}@{r.account}" for r in queries.timeline(session, filters)]

        assert ids(QueueFilter(platforms=("facebook",))) == ["a-en@facebook-main"]
        assert ids(QueueFilter(languages=("fr", "es"))) == ["c-es@x-es", "b-fr@x-fr"]
        assert ids(QueueFilter(calls=("save-lives",))) == ["c-es@x-es"]
        assert ids(QueueFilter(states=(State.PUBLISHED,))) == ["a-en@x-main"]
        assert ids(
            QueueFilter(since=DAY + timedelta(minutes=30), until=DAY + timedelta(hours=2))
        ) == ["c-es@x-es"]
        assert ids(QueueFilter(accounts=("x-fr",))) == ["b-fr@x-fr"]
        assert len(queries.timeline(session, limit=1)) == 1


def test_history_is_newest_first_with_links_and_errors(campaign: Sessions) -> None:
    with campaign() as session:
        rows = queries.history(session)
    assert [r.outcome for r in rows] == ["published", "transient"]
    assert rows[0].platform_url == "https://x.com/a/status/7"
    assert rows[0].state == "published" and isinstance(rows[0].state, str)
    assert (rows[1].http_status, rows[1].platform_message) == (503, "over capacity")
    data = rows[1].as_dict(ZoneInfo("Europe/Zurich"))
    assert data["started_at"] == "2020-11-20T09:00:00+00:00"
    assert data["started_at_local"] == "2020-11-20T10:00:00+01:00"


def test_history_filters_and_keyset_pages(campaign: Sessions) -> None:
    with campaign() as session:
        assert queries.history(session, QueueFilter(platforms=("facebook",))) == []
        assert len(queries.history(session, QueueFilter(calls=("join-the-treaty",)))) == 2
        assert [r.outcome for r in queries.history(session, outcomes=("transient",))] == [
            "transient"
        ]
        assert (
            queries.history(session, QueueFilter(since=DAY + timedelta(seconds=30)))[0].outcome
            == "published"
        )
        first = queries.history(session, limit=1)
        second = queries.history(session, before=first[-1].attempt_id, limit=1)
        assert [r.outcome for r in first + second] == ["published", "transient"]
        assert queries.history(session, before=second[-1].attempt_id) == []
        assert [r.attempt_id for r in queries.iter_history(session)] == [
            r.attempt_id for r in first + second
        ]


def test_history_pages_through_attempts_started_at_the_same_instant(
    sessions: Sessions, config: CampaignConfig
) -> None:
    sync_posts(sessions, [make_post()], config, now=NOW)
    with sessions.begin() as session:
        publication = session.scalars(select(Publication)).first()
        assert publication is not None
        session.add_all(
            Attempt(publication_id=publication.id, worker_id="w", started_at=DAY) for _ in range(5)
        )
    seen: list[int] = []
    with sessions() as session:
        before = None
        while page := queries.history(session, before=before, limit=2):
            seen += [row.attempt_id for row in page]
            before = page[-1].attempt_id
    assert seen == sorted(seen, reverse=True) and len(set(seen)) == 5


@pytest.mark.parametrize("before", [None, 12345])
def test_history_pages_walk_the_index_on_sqlite(
    sqlite_sessions: Sessions, before: int | None
) -> None:
    """The plan, not a stopwatch: no full sort of the attempts for any page."""
    query = queries.history_query(QueueFilter(), (), before).limit(50)
    with sqlite_sessions() as session:
        compiled = query.compile(session.get_bind(), compile_kwargs={"literal_binds": True})
        explained = session.connection().exec_driver_sql(f"EXPLAIN QUERY PLAN {compiled}")
        plan = " | ".join(str(row[-1]) for row in explained)
    assert "ix_attempts_started_at_id" in plan
    assert "TEMP B-TREE" not in plan
    if before is not None:
        assert "SEARCH attempts USING INDEX ix_attempts_started_at_id (started_at<?)" in plan


def test_one_post_with_its_publications_attempts_and_audit(campaign: Sessions) -> None:
    cancel(campaign, "a-en", account="facebook-main", reason="duplicate on the Page", now=NOW)
    with campaign() as session:
        detail = queries.post_detail(session, "a-en")
        assert detail.post.id == "a-en"
        assert [p.account_label for p in detail.publications] == ["facebook-main", "x-main"]
        assert [a.outcome for a in detail.publications[1].attempts] == ["transient", "published"]
        assert [(e.action, e.reason) for e in detail.audit] == [("cancel", "duplicate on the Page")]
        with pytest.raises(NotFoundError):
            queries.post_detail(session, "missing")


def test_countdown_on_the_campaign_calendar(config: CampaignConfig) -> None:
    campaign = config.campaign
    zurich = campaign.zone
    assert queries.countdown(campaign, datetime(2020, 11, 18, 10, tzinfo=zurich)) == "T-5d"
    # 23:30 UTC on the 22nd is already the 23rd in Lausanne: the first day.
    assert queries.countdown(campaign, datetime(2020, 11, 22, 23, 30, tzinfo=UTC)) == "day 1"
    assert queries.countdown(campaign, datetime(2020, 11, 27, 12, tzinfo=zurich)) == "day 5"
    assert queries.countdown(campaign, datetime(2020, 11, 29, 12, tzinfo=zurich)) == "end+2d"
    words = [
        queries.countdown_words(campaign, datetime(2020, 11, day, 12, tzinfo=zurich))
        for day in (18, 22, 24, 28, 29)
    ]
    assert words == [
        "5 days before the conference",
        "1 day before the conference",
        "conference day 2",
        "1 day after the conference",
        "2 days after the conference",
    ]
    assert campaign.conference.start == date(2020, 11, 23)
