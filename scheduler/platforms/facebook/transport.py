"""The HTTP side of the Facebook publisher: version, base URL, timeout, log redaction.

Graph API version: facebook-sdk 3.1.0's constructor accepts only versions 2.8
to 3.1 and rejects two-digit majors such as ``"25.0"`` ("Version number should
be in the following format: #.#") [platforms.md 0.2]; all of those are long
retired, and a retired version is silently served by the oldest live one
[platforms.md 2.6]. ``GraphAPI.version`` is a plain attribute prefixed to every
path, so :func:`graph_client` constructs the client with ``"3.1"`` and then sets
``graph.version`` to the configured version (``"v25.0"``): that is what goes on
the wire.

Base URL: facebook-sdk builds every URL from the module constant
``FACEBOOK_GRAPH_URL``, read at call time. Changing that global would move every
publisher at once, so each client gets its own ``requests`` session whose
transport adapter (:class:`GraphTransport`, a
:class:`~scheduler.platforms.transport.RebasingAdapter`) sends ``https://graph.facebook.com/…``
to ``api_base_url`` instead (the sandbox, in tests and rehearsals).

facebook-sdk puts the token in the query string of every GET, and urllib3 logs
every URL at DEBUG: :func:`protect` registers the credentials with the shared
redaction (:mod:`scheduler.platforms.secrets`) and also strips any
``access_token=``/``input_token=`` value from urllib3's lines.
"""

from __future__ import annotations

import logging
import re
from typing import Any

import facebook
import requests

from scheduler.platforms import secrets
from scheduler.platforms.base import Credentials
from scheduler.platforms.facebook.settings import FacebookSettings
from scheduler.platforms.transport import (
    AnswerKeepingAdapter,
    read_environment_once,
)

GRAPH_URL = "https://graph.facebook.com/"
CONSTRUCTOR_VERSION = "3.1"  # the newest facebook-sdk 3.1.0 accepts; replaced at once
TOKEN_IN_QUERY = re.compile(r"((?:access_token|input_token)=)[^&\s\"']+")


class GraphTransport(AnswerKeepingAdapter):
    """Sends Graph requests to ``base_url`` (see :class:`AnswerKeepingAdapter`) and keeps
    each thread's last response, whose HTTP status and usage headers
    facebook-sdk's ``GraphAPIError`` does not carry."""

    def __init__(self, base_url: str, timeout_s: float) -> None:
        super().__init__(GRAPH_URL, base_url, timeout_s)


def graph_client(
    settings: FacebookSettings, access_token: str | None
) -> tuple[Any, GraphTransport, requests.Session]:
    """A ``facebook.GraphAPI`` speaking ``settings.api_version`` to
    ``settings.api_base_url`` with ``settings.request_timeout_s`` (seconds) on
    every call; also its transport and session (close the session when done)."""
    transport = GraphTransport(settings.api_base_url, settings.request_timeout_s)
    session = requests.Session()
    session.mount(GRAPH_URL, transport)
    read_environment_once(session)
    graph = facebook.GraphAPI(
        access_token=access_token,
        timeout=settings.request_timeout_s,
        version=CONSTRUCTOR_VERSION,
        session=session,
    )
    graph.version = settings.api_version  # what goes on the wire (see the module docstring)
    return graph, transport, session


def redact(text: str) -> str:
    """``text`` without token values in URLs and without any registered secret."""
    return secrets.redact(TOKEN_IN_QUERY.sub(r"\1[redacted]", text))


class _RedactTokens(logging.Filter):
    """Removes token values from log lines that quote a URL, registered or not."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = TOKEN_IN_QUERY.sub(r"\1[redacted]", message)
        if redacted != message:
            record.msg, record.args = redacted, ()
        return True


def protect(credentials: Credentials) -> None:
    """Keep ``credentials`` out of every log line and error message: register them
    with :mod:`scheduler.platforms.secrets` and filter token values out of
    urllib3's request log. Idempotent."""
    secrets.register_secrets(credentials.secrets())
    secrets.install_log_redaction()
    pool_logger = logging.getLogger("urllib3.connectionpool")
    if not any(isinstance(item, _RedactTokens) for item in pool_logger.filters):
        pool_logger.addFilter(_RedactTokens())
