"""Alembic environment: runs the migrations against one connection.

Where the database comes from, first match wins:

1. ``config.attributes["connection"]``: what ``campaign db upgrade`` passes
   (see :func:`scheduler.storage.database.upgrade_database`);
2. ``alembic -x url=...`` on the command line;
3. ``CAMPAIGN_DATABASE_URL``;
4. ``sqlalchemy.url`` in alembic.ini (an empty in-memory SQLite, so that
   ``alembic revision --autogenerate`` writes the whole schema).

Tables the models do not declare (a scheduler library's job store, say) are
left alone: autogenerate neither drops nor reports them.
"""

from __future__ import annotations

import os
from logging.config import fileConfig
from typing import Any, Literal

from alembic import context
from alembic.autogenerate.api import AutogenContext
from sqlalchemy import Connection
from sqlalchemy.schema import SchemaItem

from scheduler.storage.database import make_engine
from scheduler.storage.models import Base, UTCDateTime

config = context.config
if config.config_file_name is not None and config.get_section("loggers") is not None:
    fileConfig(config.config_file_name, disable_existing_loggers=False)


def include_object(
    item: SchemaItem, name: str | None, type_: str, reflected: bool, compare_to: Any
) -> bool:
    """Skip reflected tables that no model declares (and so everything in them)."""
    return not (type_ == "table" and reflected and compare_to is None)


def render_item(type_: str, item: Any, autogen_context: AutogenContext) -> str | Literal[False]:
    """Write UTCDateTime as the plain type it stores, so migrations never import models."""
    if type_ == "type" and isinstance(item, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        include_object=include_object,
        render_item=render_item,
        compare_type=True,
        # SQLite cannot ALTER most things: later migrations copy the table instead.
        render_as_batch=connection.dialect.name == "sqlite",
    )
    with context.begin_transaction():
        context.run_migrations()


def _url() -> str:
    url = context.get_x_argument(as_dictionary=True).get("url")
    url = url or os.environ.get("CAMPAIGN_DATABASE_URL")
    return url or config.get_main_option("sqlalchemy.url") or "sqlite://"


def run_migrations_online() -> None:
    """Migrate through the shared connection, or one opened from the URL."""
    shared = config.attributes.get("connection")
    if shared is not None:
        _run(shared)
        return
    engine = make_engine(_url())
    try:
        with engine.begin() as connection:
            _run(connection)
    finally:
        engine.dispose()


if context.is_offline_mode():
    raise SystemExit("offline (--sql) migrations are not supported; run `campaign db upgrade`")
run_migrations_online()
