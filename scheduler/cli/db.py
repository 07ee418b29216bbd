"""The database schema: ``campaign db upgrade`` and ``campaign db current``.

``upgrade`` creates the tables or brings them up to this program's schema with
the Alembic migrations that ship inside the package; ``current`` says which
schema a database has. Both take the database from ``--database-url``, then
``CAMPAIGN_DATABASE_URL``, then the campaign file's default.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import typer
from sqlalchemy import Engine

from scheduler.cli.common import ConfigOption, DatabaseOption, console, load
from scheduler.cli.queue_common import database_url_for
from scheduler.config import runtime_settings
from scheduler.storage.database import (
    current_revision,
    describe_url,
    head_revision,
    make_engine,
    upgrade_database,
)

db_app = typer.Typer(help="The database schema: create or upgrade it.", no_args_is_help=True)


@contextmanager
def _database(config_path: Path | None, database_url: str | None) -> Iterator[tuple[str, Engine]]:
    """The URL of the database the command names and an engine for it, disposed
    of afterwards. The schema is not checked: these commands are how it gets fixed.

    :raises ConfigError: when the campaign file is needed and cannot be read.
    :raises StorageError: when the URL cannot be used.
    """
    settings = runtime_settings()
    url = database_url or settings.database_url or database_url_for(*load(config_path), None)
    engine = make_engine(url)
    try:
        yield url, engine
    finally:
        engine.dispose()


@db_app.command("upgrade")
def db_upgrade(
    config_path: Path | None = ConfigOption, database_url: str | None = DatabaseOption
) -> None:
    """Create the database's tables, or bring them up to this program's schema."""
    with _database(config_path, database_url) as (url, engine):
        before = current_revision(engine)
        upgrade_database(url)
        after = current_revision(engine)
    where = describe_url(engine)
    if before == after:
        console.print(f"{where} is up to date (schema {after}).")
    else:
        console.print(f"{where}: schema {before or 'none'} -> {after}.")


@db_app.command("current")
def db_current(
    config_path: Path | None = ConfigOption, database_url: str | None = DatabaseOption
) -> None:
    """Print the database's schema revision and whether it is this program's."""
    with _database(config_path, database_url) as (_url, engine):
        found = current_revision(engine)
    expected = head_revision()
    verdict = "up to date" if found == expected else "run `campaign db upgrade`"
    console.print(
        f"{describe_url(engine)}: schema {found or 'none'} (this program: {expected}); {verdict}"
    )


def register(app: typer.Typer) -> None:
    """Add the ``db`` group to ``app``."""
    app.add_typer(db_app, name="db")
