"""The dashboard when the database says no: a lost connection is a 503 page
saying so and what to do, never the driver's words or a traceback. The
connection is cut by a TCP proxy in front of the shared PostgreSQL server."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from starlette.testclient import TestClient

from scheduler.clock import FrozenClock
from scheduler.config import CampaignConfig
from scheduler.storage.database import make_engine, make_session_factory
from scheduler.web import create_app
from scheduler.web.access import web_access
from tests.daemon.outages import DroppingProxy


@pytest.mark.postgres
def test_a_lost_connection_is_a_503_page_with_the_fix(
    config: CampaignConfig, clock: FrozenClock, postgres_db_url: str
) -> None:
    parts = urlsplit(postgres_db_url)
    proxy = DroppingProxy((parts.hostname or "127.0.0.1", parts.port or 5432))
    engine = make_engine(proxy.url_for(postgres_db_url))
    try:
        app = create_app(
            config, make_session_factory(engine), clock, web_access("::1", None, config)
        )
        with TestClient(app, base_url="http://[::1]") as client:
            assert client.get("/history").status_code == 200
            proxy.cut()
            response = client.get("/history")
    finally:
        proxy.restore()
        engine.dispose()
        proxy.close()
    assert response.status_code == 503 and response.headers["Retry-After"] == "5"
    assert "lost the connection" in response.text and "pg_isready" in response.text
    assert "psycopg" not in response.text and "Traceback" not in response.text
