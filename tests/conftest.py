"""Fixtures and factories every suite shares.

Databases: ``db_url`` and ``sessions`` run a test once on SQLite and once on
PostgreSQL (``sqlite_url`` and ``sqlite_sessions`` for SQLite only). PostgreSQL
tests run against 127.0.0.1:5432 (database ``test``); outside CI they skip when the
server is unreachable, under CI=true they fail instead.

Campaigns: ``campaign_data`` and ``facebook_account`` write the small test campaign
the daemon and Facebook suites build on. ``closing`` closes what a factory made;
``fresh_python`` runs a script in a new interpreter.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Protocol, TypeVar

import pytest
from sqlalchemy.orm import Session, sessionmaker

from scheduler.storage.database import make_engine, make_session_factory

ROOT = Path(__file__).resolve().parent.parent
POSTGRES_URL = os.environ.get(
    "CAMPAIGN_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
Sessions = sessionmaker[Session]


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


@contextmanager
def session_factory(url: str) -> Iterator[Sessions]:
    """Sessions on the database at ``url``; its engine is disposed afterwards, so no
    connection outlives the test."""
    engine = make_engine(url)
    try:
        yield make_session_factory(engine)
    finally:
        engine.dispose()


@pytest.fixture
def sessions(db_url: str) -> Iterator[Sessions]:
    """Sessions on a fresh database at the current schema, once per engine."""
    with session_factory(db_url) as factory:
        yield factory


@pytest.fixture
def sqlite_sessions(sqlite_url: str) -> Iterator[Sessions]:
    """Sessions on a fresh SQLite database only."""
    with session_factory(sqlite_url) as factory:
        yield factory


def campaign_data(accounts: list[dict[str, Any]], **sections: Any) -> dict[str, Any]:
    """A campaign file as a dict: the test campaign (2RevCon in Lausanne, 23-27 November
    2020, Europe/Zurich, English only, one call) with ``accounts``; ``sections`` add
    top-level keys (``publishing``, ``platforms``)."""
    return {
        "campaign": {
            "name": "Test campaign",
            "hashtag": "#StopClusterBombsNow",
            "timezone": "Europe/Zurich",
            "conference": {"name": "2RevCon", "start": "2020-11-23", "end": "2020-11-27"},
            "window": {"start": "2020-10-24", "end": "2020-11-27"},
        },
        "languages": {"en": "English"},
        "calls": {"join-the-treaty": {"en": "Join the Treaty"}},
        "accounts": accounts,
        **sections,
    }


def facebook_account(label: str, page_id: str, name: str, **fields: Any) -> dict[str, Any]:
    """A Facebook Page of a campaign file, in English; ``fields`` add keys or replace
    them (``credentials``, ``daily_cap``)."""
    return {
        "label": label,
        "platform": "facebook",
        "name": name,
        "page_id": page_id,
        "languages": ["en"],
        "credentials": {"page_access_token": "FB_PAGE_TOKEN"},
        **fields,
    }


class Closable(Protocol):
    def close(self) -> None: ...


ClosableT = TypeVar("ClosableT", bound=Closable)


class Closer:
    """``closing(thing)`` hands ``thing`` back and closes it when the test ends, in the
    order things were made: for the publishers and test clients that factories make."""

    def __init__(self) -> None:
        self.made: list[Closable] = []

    def __call__(self, thing: ClosableT) -> ClosableT:
        self.made.append(thing)
        return thing

    def close_all(self) -> None:
        for thing in self.made:
            thing.close()


@pytest.fixture
def closing() -> Iterator[Closer]:
    """See :class:`Closer`."""
    closer = Closer()
    yield closer
    closer.close_all()


def fresh_python(script: str) -> str:
    """What ``script`` prints when a new Python process runs it from the repository
    root: for what a command loads at start-up, which this process has long loaded."""
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, cwd=ROOT
    )
    return done.stdout


def videos_script() -> Any:
    """``scripts/make_videos.py`` as a module (its ``write_video`` makes the test videos)."""
    import importlib.util

    spec = importlib.util.spec_from_file_location(
        "make_videos", ROOT / "scripts" / "make_videos.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
