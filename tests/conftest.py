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
