"""The schema: one Alembic history that matches the models, on both engines."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import inspect, text

from scheduler.errors import SchemaError, StorageError
from scheduler.storage.database import (
    alembic_config,
    check_schema,
    current_revision,
    downgrade_database,
    head_revision,
    make_engine,
    open_database,
    upgrade_database,
)
from scheduler.storage.models import Base


def test_the_migrations_match_the_models(db_url: str) -> None:
    """Alembic's check: autogenerate against the migrated database finds nothing."""
    engine = make_engine(db_url)
    try:
        with engine.begin() as connection:
            command.check(alembic_config(connection))
    finally:
        engine.dispose()


def test_upgrade_and_downgrade_round_trip(db_url: str) -> None:
    engine = make_engine(db_url)
    try:
        assert current_revision(engine) == head_revision()
        downgrade_database(db_url)
        assert current_revision(engine) is None
        assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
        upgrade_database(db_url)
        assert current_revision(engine) == head_revision()
        assert set(Base.metadata.tables) <= set(inspect(engine).get_table_names())
        upgrade_database(db_url)  # again: nothing to do, no error
        check_schema(engine)
    finally:
        engine.dispose()


def test_an_unmigrated_database_is_refused_naming_the_upgrade(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'empty.db'}"
    with pytest.raises(SchemaError) as caught:
        open_database(url)
    assert "campaign db upgrade" in str(caught.value)
    assert caught.value.found is None
    assert not (tmp_path / "empty.db").exists()  # a read never leaves an empty file behind


def test_a_database_in_a_missing_folder_is_explained(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'nowhere' / 'campaign.db'}"
    with pytest.raises(StorageError, match=r"the folder .*nowhere does not exist"):
        upgrade_database(url)
    upgrade_database(f"sqlite:///{tmp_path / 'campaign.db'}")
    assert (tmp_path / "campaign.db").exists()


def test_a_database_of_the_first_release_upgrades_keeping_its_rows(db_url: str) -> None:
    downgrade_database(db_url)
    upgrade_database(db_url, "0001")
    engine = make_engine(db_url)
    try:
        with engine.begin() as connection:
            connection.execute(
                text(
                    "INSERT INTO account_states (label, updated_at) "
                    "VALUES ('x-main', '2020-11-20 09:00:00+00:00')"
                )
            )
        with pytest.raises(SchemaError, match="campaign db upgrade"):
            check_schema(engine)
        upgrade_database(db_url)
        assert current_revision(engine) == head_revision()
        with engine.connect() as connection:
            labels = connection.execute(text("SELECT label FROM account_states")).scalars()
            assert list(labels) == ["x-main"]
            columns = {column["name"] for column in inspect(connection).get_columns("publications")}
            tables = set(inspect(connection).get_table_names())
        assert "requeued_at" in columns
        assert "dashboard_sessions" in tables
    finally:
        engine.dispose()


def test_a_newer_database_is_refused(sqlite_url: str) -> None:
    engine = make_engine(sqlite_url)
    try:
        with engine.begin() as connection:
            connection.execute(text("UPDATE alembic_version SET version_num = 'from-the-future'"))
    finally:
        engine.dispose()
    with pytest.raises(SchemaError) as caught:
        open_database(sqlite_url)
    assert "campaign db upgrade" in str(caught.value)
    assert caught.value.found == "from-the-future"
    with pytest.raises(SchemaError):
        upgrade_database(sqlite_url)  # never "downgrades" a newer schema by accident


def test_tables_the_models_do_not_declare_are_left_alone(db_url: str) -> None:
    """A scheduler library's job store beside ours: migrations neither drop nor report it."""
    engine = make_engine(db_url)
    try:
        with engine.begin() as connection:
            connection.execute(
                text("CREATE TABLE apscheduler_jobs (id VARCHAR(191) PRIMARY KEY, job_state TEXT)")
            )
            command.check(alembic_config(connection))
        upgrade_database(db_url)
        assert "apscheduler_jobs" in inspect(engine).get_table_names()
    finally:
        engine.dispose()
