"""Where credentials come from, and how they are kept out of every output.

Long-lived credentials live only in environment variables, or in a ``.env``
file beside config.yaml that git ignores; config.yaml names the variables,
never the values. :func:`load_environment` layers the real environment over
that file. Tokens the platforms rotate live encrypted in the database instead
(:mod:`scheduler.tokens`), under the key in ``CAMPAIGN_TOKEN_KEYS``.

Redaction: client libraries log what they send at DEBUG (tweepy logs request
headers, urllib3 logs URLs with their query strings, and facebook-sdk puts the
Page token in the query string) [platforms.md 0.1, 0.2]. Every secret loaded
through :func:`register_secrets` is replaced by ``***`` in every log record the
process creates, whatever logger or handler, by :func:`install_log_redaction`
(a wrapper around the logging record factory, so it applies before any handler
or filter sees the record), and in any text passed to :func:`redact`.
"""

from __future__ import annotations

import io
import logging
import os
import re
import threading
import traceback
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any
from urllib.parse import quote, quote_plus

from dotenv import dotenv_values

from scheduler.errors import ConfigError, ContentError
from scheduler.files import ENV_FILE_MAX_BYTES, read_limited

MASK = "***"
# Shorter values are not worth hiding and would mangle ordinary text.
_MIN_SECRET_LENGTH = 6


def load_environment(
    base_dir: Path, environ: Mapping[str, str] | None = None, filename: str = ".env"
) -> dict[str, str]:
    """The process environment layered over ``base_dir/.env`` (the environment wins).

    Neither ``os.environ`` nor the file is modified. A missing file is fine.
    """
    values: dict[str, str] = {}
    path = base_dir / filename
    if path.is_file():
        try:
            raw = read_limited(
                path, ENV_FILE_MAX_BYTES, "a .env file", hint="keep only the credentials in it"
            )
        except ContentError as error:
            raise ConfigError(error.problem, where=error.path, hint=error.hint) from None
        parsed = dotenv_values(stream=io.StringIO(raw.decode("utf-8", "replace")))
        values.update({key: value for key, value in parsed.items() if value})
    values.update(os.environ if environ is None else environ)
    return values


class SecretRedactor:
    """Replaces known secret values (and their URL-encoded forms) with ``***``. Thread-safe."""

    def __init__(self) -> None:
        self._secrets: set[str] = set()
        self._pattern: re.Pattern[str] | None = None
        self._lock = threading.Lock()

    def add(self, values: Iterable[str]) -> None:
        with self._lock:
            before = len(self._secrets)
            for value in values:
                if len(value) < _MIN_SECRET_LENGTH:
                    continue
                self._secrets.update({value, quote(value, safe=""), quote_plus(value)})
            if len(self._secrets) != before:
                # Longest first, so a secret containing another is masked whole.
                ordered = sorted(self._secrets, key=len, reverse=True)
                self._pattern = re.compile("|".join(re.escape(value) for value in ordered))

    @property
    def empty(self) -> bool:
        return self._pattern is None

    def redact(self, text: str) -> str:
        pattern = self._pattern
        if pattern is None or not text:
            return text
        return pattern.sub(MASK, text)

    def contains_secret(self, text: str) -> bool:
        pattern = self._pattern
        return pattern is not None and pattern.search(text) is not None


_REDACTOR = SecretRedactor()
_installed = False
_install_lock = threading.Lock()


def register_secrets(values: Iterable[str]) -> None:
    """Remember ``values`` as secrets: from now on they are masked in logs and by redact().

    Installs the log redaction too (:func:`install_log_redaction`), so a value
    registered by any module, the token store's included, is masked at once.
    """
    _REDACTOR.add(values)
    install_log_redaction()


def redact(text: str) -> str:
    """``text`` with every registered secret replaced by ``***``."""
    return _REDACTOR.redact(text)


def _scrub(record: logging.LogRecord) -> None:
    if _REDACTOR.empty:
        return
    try:
        message = record.getMessage()
    except Exception:  # a malformed record; let logging report it as usual
        return
    if _REDACTOR.contains_secret(message):
        record.msg = _REDACTOR.redact(message)
        record.args = None
    if record.exc_info and record.exc_info[1] is not None and not record.exc_text:
        text = "".join(traceback.format_exception(*record.exc_info)).rstrip("\n")
        if _REDACTOR.contains_secret(text):
            # Formatters reuse a preset exc_text instead of formatting exc_info again.
            record.exc_text = _REDACTOR.redact(text)
    if record.stack_info and _REDACTOR.contains_secret(record.stack_info):
        record.stack_info = _REDACTOR.redact(record.stack_info)


def install_log_redaction() -> None:
    """Mask registered secrets in every log record from now on. Idempotent."""
    global _installed
    with _install_lock:
        if _installed:
            return
        previous = logging.getLogRecordFactory()

        def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
            record = previous(*args, **kwargs)
            _scrub(record)
            return record

        logging.setLogRecordFactory(factory)
        _installed = True
