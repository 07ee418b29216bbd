"""What every Graph stand-in answer carries, and what its log must not.

Versions: Facebook serves a call to a retired version with the oldest version
still usable, and names the serving version in the ``facebook-api-version``
header [platforms.md 2.6]. The oldest usable version when platforms.md was
compiled (2026-11) is v21.0; newer versions are served as asked.

facebook-sdk sends the token in the query string of every GET [platforms.md
0.2] and the sandbox server logs each request line at DEBUG, so
:func:`redact_server_log` masks token values there.
"""

from __future__ import annotations

import logging
import re
import secrets

OLDEST_USABLE_VERSION = (21, 0)


def served_version(requested: str) -> str:
    """The version that answers a request for ``requested`` (``v2.8`` -> ``v21.0``)."""
    major, minor = (int(part) for part in requested[1:].split("."))
    if (major, minor) < OLDEST_USABLE_VERSION:
        return "v{}.{}".format(*OLDEST_USABLE_VERSION)
    return requested


def common_headers(served: str) -> dict[str, str]:
    """Headers every real Graph answer carries [platforms.md 2]."""
    return {
        "facebook-api-version": served,
        "x-fb-trace-id": secrets.token_urlsafe(8),
        "x-fb-request-id": "A" + secrets.token_urlsafe(16),
        "x-fb-rev": "1029384756",
        "cache-control": "private, no-cache, no-store, must-revalidate",
        "expires": "Sat, 01 Jan 2000 00:00:00 GMT",
        "pragma": "no-cache",
        "access-control-allow-origin": "*",
    }


_TOKEN_IN_QUERY = re.compile(r"((?:access_token|input_token)=)[^&\s\"']+")


class _RedactTokens(logging.Filter):
    """Keeps tokens out of the server's request log: facebook-sdk sends them in the
    query string of every GET [platforms.md 0.2]."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = _TOKEN_IN_QUERY.sub(r"\1[redacted]", message)
        if redacted != message:
            record.msg, record.args = redacted, ()
        return True


def redact_server_log() -> None:
    """Install the token filter on the sandbox server's logger, once."""
    server_logger = logging.getLogger("scheduler.platforms.sandbox_server")
    if not any(isinstance(item, _RedactTokens) for item in server_logger.filters):
        server_logger.addFilter(_RedactTokens())
