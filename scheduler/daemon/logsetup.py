"""Logging for the daemon's entry points: readable text, or JSON lines.

Configured only by entry points (``campaign run``, ``campaign rehearse``), never
on import. ``CAMPAIGN_LOG_FORMAT=json`` (or ``--log-format json``) writes one
JSON object per line: ``time`` (ISO 8601 UTC), ``level``, ``logger``,
``message``, plus ``exception`` when there is one, for log shippers. Messages
carry outside text (a platform's error, a post id): control characters in it
are shown as visible stand-ins (:func:`scheduler.printable.printable`), never
sent raw to the terminal. The platforms' secret redaction (:mod:`scheduler.platforms.secrets`) is installed
by every publisher and scrubs records before any handler formats them.
"""

from __future__ import annotations

import logging
import sys
from datetime import UTC, datetime
from typing import IO

from scheduler.platforms import registry
from scheduler.printable import json_text, printable

TEXT_FORMAT = "%(asctime)s %(levelname)-7s %(name)s: %(message)s"
# Chatty libraries (Alembic's migration INFO lines included) stay at WARNING
# unless the level asks for DEBUG.
# Each platform's client library is named by its profile (``library_loggers``).
_QUIET = (
    "alembic",
    "apscheduler",
    "urllib3",
    "requests_oauthlib",
    "oauthlib",
    "apprise",
)


class TextFormatter(logging.Formatter):
    """:data:`TEXT_FORMAT`, with control characters made visible (line breaks kept,
    for tracebacks)."""

    def __init__(self) -> None:
        super().__init__(TEXT_FORMAT)

    def format(self, record: logging.LogRecord) -> str:
        return printable(super().format(record))


class JSONLineFormatter(logging.Formatter):
    """One JSON object per record, on one line."""

    def format(self, record: logging.LogRecord) -> str:
        payload: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_info:
            payload["exception"] = self.formatException(record.exc_info)
        return json_text(payload)


def configure_logging(
    log_format: str = "text", level: str = "INFO", stream: IO[str] | None = None
) -> logging.Handler:
    """Send every log record to ``stream`` (stderr) as text or JSON lines.

    Replaces handlers an earlier call installed; returns the handler.

    :raises ValueError: for an unknown format or level name.
    """
    if log_format not in ("text", "json"):
        raise ValueError(f"log format must be text or json, not {log_format!r}")
    numeric = logging.getLevelName(level.upper())
    if not isinstance(numeric, int):
        raise ValueError(f"unknown log level {level!r}; use DEBUG, INFO, WARNING or ERROR")
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(JSONLineFormatter() if log_format == "json" else TextFormatter())
    handler.set_name("campaign")
    root = logging.getLogger()
    for existing in list(root.handlers):
        if existing.get_name() == "campaign":
            root.removeHandler(existing)
    root.addHandler(handler)
    root.setLevel(numeric)
    libraries = [name for profile in registry.profiles() for name in profile.library_loggers]
    for name in (*_QUIET, *libraries):
        logging.getLogger(name).setLevel(numeric if numeric <= logging.DEBUG else logging.WARNING)
    return handler
