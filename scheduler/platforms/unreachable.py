"""Plain words for a platform that could not be reached at all.

A failed connection comes out of requests as a chain of exceptions
(``ConnectionError`` -> urllib3 ``MaxRetryError`` -> ``NameResolutionError``
or ``NewConnectionError`` -> ``socket.gaierror`` or ``ConnectionRefusedError``)
whose text is written for developers::

    HTTPSConnectionPool(host='graph.facebook.com', port=443): Max retries
    exceeded with url: ... (Caused by NameResolutionError(...))

:func:`describe_unreachable` says instead what happened and what to check,
naming the config.yaml setting that holds the base URL::

    could not reach graph.facebook.com: no network or DNS; check the connection
    or platforms.facebook.api_base_url

The adapters' error translation (``x/errors``, ``facebook/translate``) uses it,
so these words reach the history, the logs and ``campaign accounts check``.
"""

from __future__ import annotations

import requests
from urllib3.exceptions import (
    ConnectTimeoutError,
    MaxRetryError,
    NameResolutionError,
    NewConnectionError,
)

_LOOPBACK = frozenset({"127.0.0.1", "localhost", "::1"})
_DEFAULT_PORTS = {"https": 443, "http": 80}


def describe_unreachable(error: BaseException, setting: str) -> str | None:
    """What went wrong when no connection could be made, and what to check.

    ``setting`` is the config.yaml key of the base URL the request went to
    (``platforms.<key>.api_base_url``). Returns
    None when ``error`` is not a failure to open the connection (a timeout
    while reading, a dropped connection, an answer): then the caller keeps its
    own words. The text holds no URL path or query, so no token can leak.
    """
    if not isinstance(error, requests.ConnectionError):  # ConnectTimeout is one too
        return None
    retry = error.args[0] if error.args else None
    reason = retry.reason if isinstance(retry, MaxRetryError) else retry
    host, address = _address(retry)
    if isinstance(reason, NameResolutionError):
        return f"could not reach {host}: no network or DNS; check the connection or {setting}"
    if isinstance(reason, NewConnectionError):
        cause = reason.__cause__
        if isinstance(cause, ConnectionRefusedError):
            if host in _LOOPBACK:
                check = (
                    f"is the sandbox running (`campaign sandbox serve`)? if not, check {setting}"
                )
            else:
                check = f"check {setting}"
            return f"could not connect to {address}: nothing is listening there; {check}"
        why = cause.strerror if isinstance(cause, OSError) and cause.strerror else "no connection"
        return f"could not connect to {address}: {why}; check the connection or {setting}"
    if isinstance(reason, ConnectTimeoutError) or isinstance(error, requests.ConnectTimeout):
        return (
            f"could not connect to {address}: no answer within the timeout; "
            f"check the connection or {setting}"
        )
    return None


def _address(retry: object) -> tuple[str, str]:
    """(host, host[:port]) of the connection pool that failed; the port only when
    it is not the scheme's default. ``("the platform", "the platform")`` when
    unknown."""
    pool = getattr(retry, "pool", None)
    host = getattr(pool, "host", None)
    if not isinstance(host, str) or not host:
        return "the platform", "the platform"
    host = host.strip("[]")
    port = getattr(pool, "port", None)
    default = _DEFAULT_PORTS.get(str(getattr(pool, "scheme", "")))
    if port is None or port == default:
        return host, host
    return host, f"{host}:{port}"
