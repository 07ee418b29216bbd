from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from scheduler.storage.database import make_engine, make_session_factory
from scheduler.storage.models import AuditEntry


def test_audit_entry_round_trips_as_aware_utc(db_url: str) -> None:
    engine = make_engine(db_url)
    sessions = make_session_factory(engine)
    moment = datetime(2020, 11, 23, 8, 30, tzinfo=UTC)
    with sessions.begin() as session:
        session.add(
            AuditEntry(at=moment, actor="test", action="pause", target="campaign", reason="x")
        )
    with sessions() as session:
        stored = session.scalars(select(AuditEntry)).one()
    engine.dispose()
    assert stored.at == moment
    assert stored.at.tzinfo is not None
