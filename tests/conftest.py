"""Shared fixtures. PostgreSQL tests run against 127.0.0.1:5432 (database
``test``); outside CI they skip when the server is unreachable, under CI=true
they fail instead."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
POSTGRES_URL = os.environ.get(
    "CAMPAIGN_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)


def postgres_available() -> str | None:
    """None when PostgreSQL answers, else the reason it does not."""
    try:
        import psycopg
    except ImportError:
        return "psycopg is not installed (pip install -e '.[postgres]')"
    try:
        with psycopg.connect(
            POSTGRES_URL.replace("postgresql+psycopg://", "postgresql://"), connect_timeout=3
        ):
            return None
    except psycopg.OperationalError as error:
        return f"PostgreSQL at {POSTGRES_URL} is unreachable: {error}"


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """The PostgreSQL URL; skips outside CI when the server is down, fails under CI."""
    reason = postgres_available()
    if reason is not None:
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI=true but {reason}")
        pytest.skip(reason)
    yield POSTGRES_URL


@pytest.fixture
def project_root() -> Path:
    """The repository root (holds config.yaml, posts/, media/)."""
    return ROOT


def _fresh_postgres_database(base_url: str) -> tuple[str, str]:
    """Create a uniquely named database beside ``base_url``'s; returns (url, name).

    Every test run gets its own database, so parallel runs never collide."""
    import uuid

    import psycopg

    name = f"campaign_test_{uuid.uuid4().hex[:12]}"
    admin = base_url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    return base_url.rsplit("/", 1)[0] + "/" + name, name


def _drop_postgres_database(base_url: str, name: str) -> None:
    import psycopg

    admin = base_url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _create_schema(url: str) -> None:
    """Bring a new database to the current schema (Alembic when it is set up)."""
    try:
        from scheduler.storage.database import upgrade_database
    except ImportError:
        from scheduler.storage.database import make_engine
        from scheduler.storage.models import Base

        engine = make_engine(url)
        Base.metadata.create_all(engine)
        engine.dispose()
        return
    upgrade_database(url)


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    """URL of a fresh SQLite file at the current schema."""
    url = f"sqlite:///{tmp_path / 'campaign.db'}"
    _create_schema(url)
    return url


@pytest.fixture
def postgres_db_url(postgres_url: str) -> Iterator[str]:
    """URL of a fresh PostgreSQL database at the current schema, dropped afterwards."""
    url, name = _fresh_postgres_database(postgres_url)
    try:
        _create_schema(url)
        yield url
    finally:
        _drop_postgres_database(postgres_url, name)


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest) -> str:
    """Runs a test once on SQLite and once on PostgreSQL (same schema)."""
    fixture = "sqlite_url" if request.param == "sqlite" else "postgres_db_url"
    return str(request.getfixturevalue(fixture))
