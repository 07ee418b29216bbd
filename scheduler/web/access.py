"""Who may read and who may act.

- Reading needs no sign-in only when the server is bound to a loopback address
  (127.0.0.1, ::1, localhost); bound anywhere else, every page needs it.
- Actions need a sign-in with the operator token, read from the environment
  variable that ``web.operator_token_env`` names. There is no default token:
  without one the dashboard is read-only (and refuses to bind beyond loopback).
- The sign-in lives in a cookie signed with a key derived from the token, so
  changing the token signs everybody out. Every form carries a CSRF token kept
  in that session, compared in constant time.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass

from starlette.exceptions import HTTPException
from starlette.requests import Request

from scheduler.config import CampaignConfig
from scheduler.errors import ConfigError

MIN_TOKEN_CHARS = 16
LOOPBACK_NAMES = ("localhost", "127.0.0.1", "::1", "[::1]")
CSRF_FIELD = "csrf_token"
_SESSION_KEY_LABEL = b"campaign-dashboard-session-v1"


@dataclass(frozen=True)
class WebAccess:
    """The access rules of one running dashboard.

    ``operator_token`` is None when no token is configured (read-only);
    ``open_reading`` is True only for a loopback binding; ``allowed_hosts``
    are the Host headers accepted (loopback names for a loopback binding, so a
    web page elsewhere cannot reach the dashboard through DNS rebinding).
    """

    operator_token: str | None
    open_reading: bool
    session_secret: str
    session_max_age_s: int
    allowed_hosts: tuple[str, ...]

    @property
    def actions_enabled(self) -> bool:
        return self.operator_token is not None


def is_loopback(host: str) -> bool:
    """True for ``localhost`` and loopback addresses (``127.0.0.0/8``, ``::1``)."""
    host = host.strip("[]")
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def operator_token(config: CampaignConfig, environ: Mapping[str, str] | None = None) -> str | None:
    """The operator token from the environment variable the config names, or None.

    :raises ConfigError: when the token is set but shorter than
        :data:`MIN_TOKEN_CHARS` characters.
    """
    environ = os.environ if environ is None else environ
    name = config.web.operator_token_env
    token = environ.get(name, "").strip()
    if not token:
        return None
    if len(token) < MIN_TOKEN_CHARS:
        raise ConfigError(
            f"the operator token in ${name} has {len(token)} characters; "
            f"it needs at least {MIN_TOKEN_CHARS}",
            hint=f'export {name}="$(python3 -c "import secrets; print(secrets.token_urlsafe(24))")"',
        )
    return token


def web_access(host: str, token: str | None, config: CampaignConfig) -> WebAccess:
    """The access rules for a server bound to ``host``.

    :raises ConfigError: when binding beyond loopback without an operator
        token: nobody could sign in, and reading must not be open there.
    """
    open_reading = is_loopback(host)
    if not open_reading and token is None:
        raise ConfigError(
            f"the dashboard would listen on {host}, beyond this machine, with no operator token",
            hint=f"set ${config.web.operator_token_env} (at least {MIN_TOKEN_CHARS} characters), "
            "or bind to 127.0.0.1",
        )
    if token is not None:
        secret = hmac.new(token.encode(), _SESSION_KEY_LABEL, hashlib.sha256).hexdigest()
    else:
        secret = secrets.token_hex(32)  # nothing to sign in to; sessions carry only CSRF
    hosts = tuple({*LOOPBACK_NAMES, host}) if open_reading else ("*",)
    return WebAccess(
        operator_token=token,
        open_reading=open_reading,
        session_secret=secret,
        session_max_age_s=int(config.web.session_hours * 3600),
        allowed_hosts=hosts,
    )


def csrf_token(request: Request) -> str:
    """The session's CSRF token, created on first use."""
    token = request.session.get("csrf")
    if not isinstance(token, str):
        token = secrets.token_urlsafe(32)
        request.session["csrf"] = token
    return token


def check_csrf(request: Request, submitted: object) -> None:
    """Refuse a form whose CSRF token is missing or not this session's.

    :raises HTTPException: 403 with a message a person can act on.
    """
    expected = request.session.get("csrf")
    if (
        not isinstance(expected, str)
        or not isinstance(submitted, str)
        or not hmac.compare_digest(expected.encode(), submitted.encode())
    ):
        raise HTTPException(
            403, "This form has expired or did not come from this dashboard. Reload and try again."
        )


def token_matches(access: WebAccess, submitted: str) -> bool:
    """Constant-time comparison of a submitted token with the operator token."""
    if access.operator_token is None:
        return False
    return hmac.compare_digest(access.operator_token.encode(), submitted.strip().encode())


def is_operator(request: Request) -> bool:
    """True when this session signed in with the operator token."""
    return bool(request.session.get("operator"))


def operator_name(request: Request) -> str:
    """Who the audit trail names for this session's actions."""
    name = request.session.get("operator")
    return f"{name} (dashboard)" if isinstance(name, str) else "dashboard"


def sign_in(request: Request, name: str) -> None:
    """Mark the session signed in as ``name`` and give it a fresh CSRF token."""
    request.session.clear()
    request.session["operator"] = name
    request.session["csrf"] = secrets.token_urlsafe(32)


def sign_out(request: Request) -> None:
    """Forget the sign-in (a fresh CSRF token comes with the next form)."""
    request.session.clear()


def require_operator(request: Request) -> None:
    """:raises HTTPException: 403 unless the session is signed in as operator."""
    if not is_operator(request):
        raise HTTPException(403, "Sign in with the operator token to do this.")
