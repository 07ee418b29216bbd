"""The dashboard on both engines: the same pages and an action on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from starlette.testclient import TestClient

from scheduler.clock import FrozenClock
from scheduler.config import CampaignConfig
from scheduler.storage.database import open_database
from scheduler.storage.models import Publication, PublicationState
from scheduler.web import create_app, web_access
from tests.web.conftest import TOKEN, csrf_of, sign_in
from tests.web.seed import FAILED, seed_campaign


@pytest.fixture
def engine_sessions(db_url: str, config: CampaignConfig) -> Iterator[sessionmaker[Session]]:
    engine, sessions = open_database(db_url)
    try:
        seed_campaign(sessions, config)
        yield sessions
    finally:
        engine.dispose()


def test_pages_and_a_retry(
    engine_sessions: sessionmaker[Session], config: CampaignConfig, clock: FrozenClock
) -> None:
    app = create_app(config, engine_sessions, clock, web_access("127.0.0.1", TOKEN, config))
    with TestClient(app, base_url="http://127.0.0.1", follow_redirects=False) as client:
        assert client.get("/").text.count('data-testid="day"') == 35
        assert FAILED[0] in client.get("/history?platform=x&state=failed").text
        assert client.get("/history.csv?language=fr").text.count("\n") > 100
        assert client.get("/schedule.ics").status_code == 200
        assert "read timed out" in client.get("/attention").text
        sign_in(client)
        with engine_sessions() as session:
            failed = session.scalars(
                select(Publication).where(
                    Publication.post_id == FAILED[0], Publication.account_label == FAILED[1]
                )
            ).one()
        csrf = csrf_of(client.get("/attention").text)
        client.post(f"/publications/{failed.id}/retry", data={"csrf_token": csrf, "reason": "ok"})
    with engine_sessions() as session:
        assert session.get(Publication, failed.id).state == PublicationState.PENDING  # type: ignore[union-attr]
