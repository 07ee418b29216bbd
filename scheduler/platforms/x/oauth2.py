"""X's OAuth 2.0 user context: the Authorization Code flow with PKCE, and refreshing.

Facts (platforms-2026.md 2, docs.x.com ``authorization-code.mdx`` and
``user-access-token.mdx``): the browser goes to ``https://x.com/i/oauth2/authorize``
with ``response_type=code``, ``client_id``, ``redirect_uri`` (matched exactly;
X refuses ``localhost``, so ``http://127.0.0.1:PORT/callback``), ``scope``,
``state`` and an S256 ``code_challenge``; X redirects back with ``code`` and
``state``. ``POST /2/oauth2/token`` (form-encoded, ``client_id`` in the body, or
HTTP Basic with the secret for a confidential client) trades the code and the
``code_verifier`` for a pair: an access token valid two hours and, with
``offline.access``, a refresh token. Each refresh returns a new refresh token
and the old one is refused from then on.

tweepy 4.17 has no refresh helper and builds its authorize URL on
twitter.com (platforms-2026.md 2), so the two token requests are made here with
``requests``, which tweepy already brings. Every token is registered for log
redaction (:func:`~scheduler.platforms.secrets.register_secrets`) the moment it
is parsed, before anything can log it (:class:`TokenEndpoint` makes the two
requests). Errors leave as the product's
(:mod:`scheduler.errors`): a refused grant is :class:`~scheduler.errors.AuthFailed`,
no answer or a 5xx :class:`~scheduler.errors.TransientError`.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import requests

from scheduler.errors import AuthFailed, TransientError
from scheduler.platforms.base import Credentials
from scheduler.platforms.secrets import redact, register_secrets
from scheduler.platforms.x.settings import XSettings

# What a campaign's account needs: post, delete, read its own posts back,
# upload media, and a refresh token (platforms-2026.md 2, "Scopes").
SCOPES = ("tweet.read", "tweet.write", "users.read", "media.write", "offline.access")
AUTHORIZE_URL = "https://x.com/i/oauth2/authorize"  # platforms-2026.md 2
AUTHORIZE_PATH = "/i/oauth2/authorize"
TOKEN_PATH = "/2/oauth2/token"
# PKCE verifier: 43 to 128 characters (RFC 7636 4.1); tweepy uses 128.
_VERIFIER_BYTES = 96


@dataclass(frozen=True)
class Authorization:
    """One authorization under way: the ``url`` to open, and what checks and
    completes the answer (``state``, the PKCE ``verifier``). ``repr`` hides both."""

    url: str
    client_id: str
    redirect_uri: str
    state: str = field(repr=False)
    verifier: str = field(repr=False)


@dataclass(frozen=True)
class TokenPair:
    """What the token endpoint answered: ``access_expires_at`` is aware UTC;
    ``refresh_token`` is None without ``offline.access``. ``repr`` hides the tokens."""

    access_token: str = field(repr=False)
    refresh_token: str | None = field(repr=False)
    access_expires_at: datetime
    scopes: tuple[str, ...]


def _challenge(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def start_authorization(
    client_id: str, redirect_uri: str, authorize_url: str = AUTHORIZE_URL
) -> Authorization:
    """A new authorization: a fresh ``state`` and PKCE verifier, and the URL to
    open (S256 challenge, :data:`SCOPES`)."""
    state = secrets.token_urlsafe(32)
    verifier = secrets.token_urlsafe(_VERIFIER_BYTES)[:128]
    query = {
        "response_type": "code",
        "client_id": client_id,
        "redirect_uri": redirect_uri,
        "scope": " ".join(SCOPES),
        "state": state,
        "code_challenge": _challenge(verifier),
        "code_challenge_method": "S256",
    }
    return Authorization(
        f"{authorize_url}?{urlencode(query)}", client_id, redirect_uri, state, verifier
    )


def code_from_redirect(authorization: Authorization, redirected: str) -> str:
    """The code in the address X redirected the browser to (pasted by a person,
    or the callback's request target).

    :raises AuthFailed: when it is not the answer to this authorization (another
        state: an old tab, or a forged request), or X reports an error
        (``access_denied`` when the person clicked Cancel).
    """
    parts = urlsplit(redirected.strip())
    query = {name: values[-1] for name, values in parse_qs(parts.query).items()}
    if not secrets.compare_digest(query.get("state", ""), authorization.state):
        raise AuthFailed(
            "this address is not the answer to this authorization (its state differs): "
            "open the authorization URL printed last and paste the address it leads to"
        )
    if "error" in query:
        raise AuthFailed(f"X did not authorize the app: {query['error']}")
    code = query.get("code", "")
    if not code:
        raise AuthFailed("the address holds no authorization code: paste the whole address")
    register_secrets([code])
    return code


@dataclass(frozen=True)
class TokenEndpoint:
    """X's token endpoint for one app: ``url`` (``https://api.x.com/2/oauth2/token``
    or the sandbox's), the app's ``client_id``, its ``client_secret`` for a
    confidential client (sent as HTTP Basic; None for a public one), and the
    request timeout in seconds."""

    url: str
    client_id: str
    client_secret: str | None = field(default=None, repr=False)
    timeout_s: float = 20.0

    def exchange(self, authorization: Authorization, code: str, *, now: datetime) -> TokenPair:
        """Trade ``code`` (with the authorization's PKCE verifier) for a token
        pair; ``now`` (aware UTC) dates its expiry.

        :raises AuthFailed: X refused the code (expired after 30 s, used, or the
            verifier differs).
        :raises TransientError: no answer, or a server error.
        """
        form = {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": authorization.redirect_uri,
            "code_verifier": authorization.verifier,
            "client_id": self.client_id,
        }
        return self._request(form, now)

    def refresh(self, refresh_token: str, *, now: datetime) -> TokenPair:
        """A new pair for ``refresh_token``, which X refuses from then on.

        :raises AuthFailed: X refused the refresh token (used already, revoked,
            expired): only a new authorization helps.
        :raises TransientError: no answer, or a server error; the refresh token
            may or may not have been spent.
        """
        form = {
            "grant_type": "refresh_token",
            "refresh_token": refresh_token,
            "client_id": self.client_id,
        }
        return self._request(form, now)

    def _request(self, form: dict[str, str], now: datetime) -> TokenPair:
        secret = self.client_secret
        auth = (self.client_id, secret) if secret else None  # confidential client: Basic
        try:
            response = requests.post(self.url, data=form, auth=auth, timeout=self.timeout_s)
        except requests.RequestException as error:
            raise TransientError(
                f"X's token endpoint did not answer: {type(error).__name__}"
            ) from None
        return _pair(response, now)


def _pair(response: requests.Response, now: datetime) -> TokenPair:
    """The token pair in ``response``, registered for redaction at once.

    :raises TransientError | AuthFailed: see :class:`TokenEndpoint`.
    """
    try:
        body: Any = response.json()
    except ValueError:
        body = {}
    if not isinstance(body, dict):
        body = {}
    if response.status_code >= 500 or response.status_code == 429:
        raise TransientError("X's token endpoint failed", http_status=response.status_code)
    if response.status_code != 200 or "access_token" not in body:
        error = body.get("error")
        words = body.get("error_description") or error or response.text[:300]
        raise AuthFailed(
            "X refused the token request",
            http_status=response.status_code,
            platform_code=str(error) if error else None,
            platform_message=redact(str(words)),
        )
    access, refresh = str(body["access_token"]), body.get("refresh_token")
    register_secrets([access, *([str(refresh)] if refresh else [])])
    return TokenPair(
        access_token=access,
        refresh_token=str(refresh) if refresh else None,
        access_expires_at=now + timedelta(seconds=int(body.get("expires_in", 7200))),
        scopes=tuple(str(body.get("scope", "")).split()),
    )


def token_endpoint(settings: XSettings, credentials: Credentials) -> TokenEndpoint:
    """The token endpoint of the account's app, on the configured base URL."""
    return TokenEndpoint(
        settings.token_url,
        credentials["client_id"],
        credentials.get("client_secret"),
        timeout_s=settings.request_timeout_s,
    )
