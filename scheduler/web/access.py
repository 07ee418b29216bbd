"""Who may read and who may act, from where, and with which cookie.

- Reading needs no sign-in only when the server is bound to a loopback address
  (127.0.0.1, ::1, localhost) and ``web.public_url`` names no other host;
  otherwise every page needs it.
- Beyond loopback the dashboard needs ``web.public_url`` (an ``https://``
  address): the only Host header it answers, and the base of every absolute
  link it makes (redirects, the calendar feed), never the request's Host.
- Actions need a sign-in with the operator token, read from the environment
  variable that ``web.operator_token_env`` names. There is no default token:
  without one the dashboard is read-only (and refuses to bind beyond
  loopback). A short or guessable token is refused with the reason.
- A sign-in is a session in the database (:mod:`scheduler.web.sessions`); the
  cookie carries its id. The cookie is signed with a key derived from the
  token (scrypt, so a cookie does not help guess the token), its name carries
  the port (cookies are shared by every service on a host, whatever the
  port), and it is ``Secure`` beyond loopback or over HTTPS. Every form
  carries a CSRF token kept in that cookie, compared in constant time.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from starlette.exceptions import HTTPException
from starlette.requests import Request

from scheduler.config import CampaignConfig
from scheduler.errors import ConfigError

MIN_TOKEN_CHARS = 16
# zxcvbn's estimate of the guesses needed (log10): 16 random letters and digits
# reach it; words, names, dates, repeats and keyboard rows do not.
MIN_TOKEN_GUESSES_LOG10 = 16
TOKEN_CHARS_JUDGED = 100  # zxcvbn's time grows with the length; the start tells enough
LOOPBACK_NAMES = ("localhost", "127.0.0.1", "::1", "[::1]")
CSRF_FIELD = "csrf_token"
OPERATOR_SCOPE_KEY = "campaign.operator"  # set by scheduler.web.sessions.SignInState
_SESSION_KEY_LABEL = b"campaign-dashboard-session-v2"
_FINGERPRINT_LABEL = b"campaign-dashboard-token-fingerprint"
_GENERATE = 'python3 -c "import secrets; print(secrets.token_urlsafe(24))"'


@dataclass(frozen=True)
class WebAccess:
    """The access rules of one running dashboard.

    ``operator_token`` is None when no token is configured (read-only);
    ``open_reading`` is True only for a loopback binding reached on this machine;
    ``allowed_hosts`` are the Host headers accepted (loopback names for a
    loopback binding, so a web page elsewhere cannot reach the dashboard through
    DNS rebinding; only the public address's host beyond loopback);
    ``public_url`` is ``web.public_url`` (scheme, host and port) or None;
    ``secure_cookies`` is True when the cookie must be ``Secure`` whatever the
    request (beyond loopback, or a public ``https`` address); ``cookie_name`` is
    this dashboard's cookie; ``token_fingerprint`` identifies the token in the
    sessions table (hex, None without a token).
    """

    operator_token: str | None = field(repr=False)
    open_reading: bool
    session_secret: str = field(repr=False)
    session_max_age_s: int
    allowed_hosts: tuple[str, ...]
    public_url: str | None = None
    secure_cookies: bool = False
    cookie_name: str = "campaign_dashboard_8000"
    token_fingerprint: str | None = None

    @property
    def actions_enabled(self) -> bool:
        return self.operator_token is not None

    def base_url(self, request: Request) -> str:
        """Where absolute links start: the public address, or on loopback without
        one, the address the request came to (its Host already checked)."""
        if self.public_url is not None:
            return self.public_url
        return str(request.base_url).rstrip("/")


def is_loopback(host: str) -> bool:
    """True for ``localhost`` and loopback addresses (``127.0.0.0/8``, ``::1``)."""
    host = host.strip("[]")
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def weak_token_reason(token: str, config: CampaignConfig) -> str | None:
    """Why ``token`` is too weak to guard the dashboard, in plain words, or None.

    Too short (under :data:`MIN_TOKEN_CHARS` characters), or guessable in fewer
    than 10^:data:`MIN_TOKEN_GUESSES_LOG10` tries by zxcvbn's estimate (the
    estimator password managers use; it knows common words, names, dates,
    repeats, sequences and keyboard rows, and is told the campaign's own words).
    """
    if len(token) < MIN_TOKEN_CHARS:
        return f"it has {len(token)} characters; it needs at least {MIN_TOKEN_CHARS}"
    from zxcvbn import zxcvbn  # loaded only when a token is set

    campaign = config.campaign
    own_words = [
        campaign.name,
        campaign.hashtag,
        campaign.hashtag.lstrip("#"),
        campaign.conference.name,
        *config.calls,
        *(word for account in config.accounts for word in (account.label, account.name)),
        "campaign",
        "dashboard",
    ]
    estimate = zxcvbn(token[:TOKEN_CHARS_JUDGED], user_inputs=own_words)
    guesses = float(estimate["guesses_log10"])
    if guesses >= MIN_TOKEN_GUESSES_LOG10:
        return None
    warning = str(estimate["feedback"].get("warning") or "").rstrip(".")
    why = f"{warning[:1].lower()}{warning[1:]}; " if warning else ""
    return (
        f"{why}it could be guessed in about 10^{guesses:.0f} tries, and needs to hold out "
        f"for 10^{MIN_TOKEN_GUESSES_LOG10}: use random characters, not words or patterns"
    )


def check_token(token: str, config: CampaignConfig) -> None:
    """:raises ConfigError: when ``token`` is too weak, with the reason and how to make one."""
    reason = weak_token_reason(token, config)
    if reason is not None:
        name = config.web.operator_token_env
        raise ConfigError(
            f"the operator token in ${name} is too weak: {reason}",
            hint=f'export {name}="$({_GENERATE})"',
        )


def operator_token(config: CampaignConfig, environ: Mapping[str, str] | None = None) -> str | None:
    """The operator token from the environment variable the config names, or None.

    :raises ConfigError: when the token is set but too weak (see :func:`check_token`).
    """
    environ = os.environ if environ is None else environ
    token = environ.get(config.web.operator_token_env, "").strip()
    if not token:
        return None
    check_token(token, config)
    return token


def _session_secret(token: str) -> str:
    # scrypt (16 MiB, about 50 ms once at start-up): a cookie is signed with this
    # key, and a slow derivation keeps anyone holding a cookie from testing
    # guesses of the token quickly.
    return hashlib.scrypt(
        token.encode(), salt=_SESSION_KEY_LABEL, n=2**14, r=8, p=1, dklen=32
    ).hex()


def web_access(
    host: str, token: str | None, config: CampaignConfig, *, port: int = 8000
) -> WebAccess:
    """The access rules for a server bound to ``host`` and ``port``.

    :raises ConfigError: when binding beyond loopback without an operator token
        (nobody could sign in, and reading must not be open there), or without an
        ``https`` ``web.public_url``; and for a weak token.
    """
    loopback = is_loopback(host)
    public = config.web.public_url
    if not loopback and token is None:
        raise ConfigError(
            f"the dashboard would listen on {host}, beyond this machine, with no operator token",
            hint=f"set ${config.web.operator_token_env} (at least {MIN_TOKEN_CHARS} random "
            "characters), or bind to 127.0.0.1",
        )
    if not loopback and (public is None or not public.startswith("https://")):
        found = "is not set" if public is None else f"is {public}"
        raise ConfigError(
            f"the dashboard would listen on {host}, beyond this machine, and web.public_url "
            f"{found}: beyond loopback it needs the https address people reach it at",
            where="config.yaml web.public_url",
            hint="put it behind an HTTPS proxy and set web.public_url: "
            '"https://dashboard.example.org", or bind to 127.0.0.1',
        )
    if token is not None:
        check_token(token, config)
        secret = _session_secret(token)
        fingerprint = hmac.new(bytes.fromhex(secret), _FINGERPRINT_LABEL, "sha256").hexdigest()
    else:
        secret = secrets.token_hex(32)  # nothing to sign in to; the cookie carries only CSRF
        fingerprint = None
    public_host = urlsplit(public).hostname if public else None
    if loopback:
        hosts = tuple(
            dict.fromkeys([*LOOPBACK_NAMES, host, *([public_host] if public_host else [])])
        )
    else:
        hosts = (str(public_host),)
    secure = not loopback or (public is not None and public.startswith("https://"))
    return WebAccess(
        operator_token=token,
        open_reading=loopback and (public_host is None or is_loopback(public_host)),
        session_secret=secret,
        session_max_age_s=int(config.web.session_hours * 3600),
        allowed_hosts=hosts,
        public_url=public,
        secure_cookies=secure,
        # __Host-: a browser takes it only Secure, for this host, on path / (no
        # subdomain can plant one); the port keeps two dashboards on a host apart.
        cookie_name=("__Host-" if secure else "") + f"campaign_dashboard_{port}",
        token_fingerprint=fingerprint,
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
    """True when this request's session is signed in with the operator token."""
    return request.scope.get(OPERATOR_SCOPE_KEY) is not None


def operator_name(request: Request) -> str:
    """Who the audit trail names for this session's actions."""
    name = request.scope.get(OPERATOR_SCOPE_KEY)
    return f"{name} (dashboard)" if isinstance(name, str) else "dashboard"


def require_operator(request: Request) -> None:
    """:raises HTTPException: 403 unless the session is signed in as operator."""
    if not is_operator(request):
        raise HTTPException(403, "Sign in with the operator token to do this.")
