"""Every datetime column is aware UTC on the way out, on both engines."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import DateTime, select
from sqlalchemy.exc import StatementError
from sqlalchemy.orm import Session, sessionmaker

from scheduler.storage.models import (
    Attempt,
    AuditEntry,
    Base,
    Hold,
    Post,
    PostStatus,
    Publication,
    PublicationState,
    Worker,
)

Sessions = sessionmaker[Session]
ZURICH = ZoneInfo("Europe/Zurich")
# 02:30 on 25 October 2020 happens twice in Zurich; fold=1 is the second (CET, UTC+1).
AMBIGUOUS = datetime(2020, 10, 25, 2, 30, 15, 123456, tzinfo=ZURICH, fold=1)
EAST = datetime(2020, 11, 23, 9, 0, tzinfo=timezone(timedelta(hours=9)))


def test_every_datetime_column_is_declared_aware() -> None:
    for table in Base.metadata.tables.values():
        for column in table.columns:
            if isinstance(
                column.type.impl if hasattr(column.type, "impl") else column.type, DateTime
            ):
                assert getattr(column.type, "impl", column.type).timezone, (
                    f"{table.name}.{column.name}"
                )


def test_datetimes_round_trip_as_aware_utc(sessions: Sessions) -> None:
    with sessions.begin() as session:
        session.add(
            Post(
                id="p-en", message_id="p", call="join-the-treaty", language="en",
                status=PostStatus.APPROVED, publish_at=AMBIGUOUS, texts={"x": "t"}, media=[],
                link=None, targets=["x-main"], source_path="posts/p.yaml", source_line=1,
                content_hash="h", revision=1, removed_at=EAST, created_at=EAST, updated_at=EAST,
            )
        )  # fmt: skip
        session.flush()
        publication = Publication(
            post_id="p-en", account_label="x-main", platform="x", state=PublicationState.PENDING,
            scheduled_at=AMBIGUOUS, next_attempt_at=EAST, lease_expires_at=AMBIGUOUS,
            published_at=EAST, created_at=EAST, updated_at=EAST,
        )  # fmt: skip
        session.add(publication)
        session.flush()
        session.add(
            Attempt(
                publication_id=publication.id, worker_id="w", started_at=AMBIGUOUS, ended_at=EAST
            )
        )
        session.add(AuditEntry(at=AMBIGUOUS, actor="a", action="cancel", target="t", reason="r"))
        session.add(Hold(scope="campaign", reason="r", actor="a", since=AMBIGUOUS, until=EAST))
        session.add(Worker(id="w", hostname="h", pid=1, started_at=EAST, heartbeat_at=AMBIGUOUS))

    with sessions() as session:
        post = session.scalars(select(Post)).one()
        publication = session.scalars(select(Publication)).one()
        attempt = session.scalars(select(Attempt)).one()
        entry = session.scalars(select(AuditEntry)).one()
        hold = session.scalars(select(Hold)).one()
        worker = session.scalars(select(Worker)).one()
    stored = [
        (post.publish_at, AMBIGUOUS), (post.removed_at, EAST),
        (publication.scheduled_at, AMBIGUOUS), (publication.next_attempt_at, EAST),
        (publication.lease_expires_at, AMBIGUOUS), (publication.published_at, EAST),
        (attempt.started_at, AMBIGUOUS), (attempt.ended_at, EAST), (entry.at, AMBIGUOUS),
        (hold.since, AMBIGUOUS), (hold.until, EAST), (worker.heartbeat_at, AMBIGUOUS),
    ]  # fmt: skip
    for value, original in stored:
        assert value is not None
        assert value.tzinfo is UTC
        assert value.timestamp() == original.timestamp()
        assert value == original.astimezone(UTC)
    assert post.publish_at == datetime(2020, 10, 25, 1, 30, 15, 123456, tzinfo=UTC)


def test_a_naive_datetime_is_refused(sessions: Sessions) -> None:
    with pytest.raises(StatementError, match="naive datetime"), sessions.begin() as session:
        session.add(
            AuditEntry(at=datetime(2020, 11, 23, 9), actor="a", action="x", target="t", reason="r")
        )
