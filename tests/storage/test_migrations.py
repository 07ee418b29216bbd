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
        assert {"store_facts", "sandbox_receipts"} <= tables
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


def test_the_upgrade_puts_stored_texts_and_hashes_in_nfc(sqlite_url: str) -> None:
    """A database written before texts were stored in NFC: a published post whose
    text was stored decomposed keeps its text (it is what went out) but gets the
    NFC hash, so a sync of the same words is no conflict; a pending one gets NFC text."""
    import json
    import unicodedata

    from scheduler.content.resolved import content_hash

    downgrade_database(sqlite_url)
    upgrade_database(sqlite_url, "0002")
    decomposed = unicodedata.normalize("NFD", "Rejoignez le traité #StopClusterBombsNow")
    texts = json.dumps({"x": decomposed})
    old_hash = "old-hash"
    engine = make_engine(sqlite_url)
    try:
        with engine.begin() as connection:
            for post_id, state in (("out-fr", "published"), ("later-fr", "pending")):
                connection.execute(
                    text(
                        "INSERT INTO posts (id, message_id, call, language, status, publish_at, "
                        "texts, media, link, targets, source_path, source_line, content_hash, "
                        "revision, created_at, updated_at) VALUES (:id, :id, 'save-lives', 'fr', "
                        "'approved', '2020-11-20 09:00:00', :texts, '[]', NULL, '[\"x-fr\"]', "
                        "'posts/a.yaml', 1, :hash, 1, '2020-11-01 09:00:00', '2020-11-01 09:00:00')"
                    ),
                    {"id": post_id, "texts": texts, "hash": old_hash},
                )
                connection.execute(
                    text(
                        "INSERT INTO publications (post_id, account_label, platform, state, "
                        "scheduled_at, next_attempt_at, attempt_count, needs_reconcile, "
                        "published_hash, created_at, updated_at) VALUES (:id, 'x-fr', 'x', "
                        ":state, '2020-11-20 09:00:00', '2020-11-20 09:00:00', 0, 0, :hash, "
                        "'2020-11-01 09:00:00', '2020-11-01 09:00:00')"
                    ),
                    {
                        "id": post_id,
                        "state": state,
                        "hash": old_hash if state == "published" else None,
                    },
                )
        upgrade_database(sqlite_url)
        nfc = unicodedata.normalize("NFC", decomposed)
        expected = content_hash({"x": nfc}, [], None)
        with engine.connect() as connection:
            rows = dict(connection.execute(text("SELECT id, content_hash FROM posts")).all())
            stored = dict(connection.execute(text("SELECT id, texts FROM posts")).all())
            published = connection.execute(
                text("SELECT published_hash FROM publications WHERE post_id = 'out-fr'")
            ).scalar_one()
    finally:
        engine.dispose()
    assert rows == {"out-fr": expected, "later-fr": expected}
    assert published == expected
    assert json.loads(stored["out-fr"])["x"] == decomposed  # what went out stays
    assert json.loads(stored["later-fr"])["x"] == nfc
