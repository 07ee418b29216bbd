"""X's OAuth 2.0 Authorization Code flow with PKCE, as the stand-in serves it.

Facts (platforms-2026.md 2, from docs.x.com ``authorization-code.mdx`` and
``user-access-token.mdx``):

- ``GET /i/oauth2/authorize`` with ``response_type=code``, ``client_id``,
  ``redirect_uri`` (matched exactly), ``scope``, ``state`` (up to 500
  characters), ``code_challenge`` and ``code_challenge_method`` (``S256`` or
  ``plain``). The stand-in has no login page: it approves at once, for the
  sandbox account whose client id it is, and redirects with ``code`` and
  ``state`` (or ``error`` and ``state`` for a bad request).
- ``POST /2/oauth2/token`` (form-encoded), ``grant_type=authorization_code``
  with ``code`` (valid 30 seconds, once), ``redirect_uri``, ``code_verifier``
  and ``client_id``; or ``grant_type=refresh_token`` with ``refresh_token``.
- Access tokens last two hours (``expires_in: 7200``); a refresh token is
  issued only with ``offline.access``; each refresh returns a new one and the
  old one is refused from then on (single use: user reports, platforms-2026.md 2).
- Errors are OAuth's: HTTP 400 ``{"error": "invalid_request", "error_description": ...}``.

Times are the stand-in's clock, so a rehearsal's speed applies to them.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

from scheduler.clock import Clock
from scheduler.platforms.sandbox_server import Request, Response
from scheduler.platforms.x.sandbox.credentials import sandbox_client_id
from scheduler.platforms.x.sandbox.state import XAccount, XState

ACCESS_TOKEN_LIFETIME = timedelta(hours=2)  # platforms-2026.md 2 ("expires_in": 7200)
CODE_LIFETIME = timedelta(seconds=30)  # platforms-2026.md 2 ("Auth code lifetime")
MAX_STATE_CHARS = 500  # platforms-2026.md 2
# X's scopes (X OpenAPI security requirements, platforms-2026.md 2).
KNOWN_SCOPES = frozenset(
    {"tweet.read", "tweet.write", "users.read", "media.write", "offline.access"}
)


# The scopes an OAuth 2.0 user token needs, per endpoint name (X OpenAPI 2.167,
# each operation's ``security``: platforms-2026.md 2 "Scopes to post and upload").
_READ = frozenset({"tweet.read", "users.read"})
ENDPOINT_SCOPES: dict[str, frozenset[str]] = {
    "x.create_post": _READ | {"tweet.write"},
    "x.delete": _READ | {"tweet.write"},
    "x.lookup": _READ,
    "x.me": _READ,
    "x.timeline": _READ,
}
MEDIA_SCOPES = frozenset({"media.write"})  # every /2/media endpoint


def scopes_for(endpoint: str) -> frozenset[str]:
    """The scopes a user token needs on the endpoint named ``endpoint``."""
    if endpoint.startswith("x.media"):
        return MEDIA_SCOPES
    return ENDPOINT_SCOPES.get(endpoint, _READ)


@dataclass
class _Code:
    account: XAccount
    client_id: str
    redirect_uri: str
    scopes: frozenset[str]
    challenge: str
    method: str
    expires_at: datetime


@dataclass(frozen=True)
class UserGrant:
    """What an OAuth 2.0 user access token allows: whose, which scopes, until when (UTC)."""

    account: XAccount
    scopes: frozenset[str]
    expires_at: datetime


def s256(verifier: str) -> str:
    """PKCE's S256 challenge of ``verifier`` (RFC 7636 4.2): base64url, no padding."""
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def _oauth_error(description: str, error: str = "invalid_request") -> Response:
    return Response(400, {"error": error, "error_description": description})


class OAuth2Server:
    """The stand-in's authorization server: codes, access and refresh tokens.

    Thread-safe; ``issued`` and ``refreshed`` count for assertions.
    ``access_token_lifetime_s``: campaign seconds an access token lasts (None:
    X's two hours).
    """

    def __init__(
        self, state: XState, clock: Clock, access_token_lifetime_s: float | None = None
    ) -> None:
        self._lifetime = (
            ACCESS_TOKEN_LIFETIME
            if access_token_lifetime_s is None
            else timedelta(seconds=access_token_lifetime_s)
        )
        self._state = state
        self._clock = clock
        self._lock = threading.Lock()
        self._codes: dict[str, _Code] = {}
        self._access: dict[str, UserGrant] = {}
        self._refresh: dict[str, tuple[XAccount, frozenset[str], str]] = {}
        self.issued = 0
        self.refreshed = 0

    def _account_for(self, client_id: str) -> XAccount | None:
        return next(
            (a for a in self._state.accounts.values() if sandbox_client_id(a.label) == client_id),
            None,
        )

    def authorize(self, request: Request, _match: Any) -> Response:
        """``GET /i/oauth2/authorize``: approve and redirect back with a code."""
        query = {name: values[-1] for name, values in request.query.items()}
        redirect = query.get("redirect_uri", "")
        parts = urlsplit(redirect)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            return _oauth_error("redirect_uri is missing or not an address")
        state = query.get("state", "")

        def back(**values: str) -> Response:
            separator = "&" if parts.query else "?"
            target = redirect + separator + urlencode({**values, "state": state})
            return Response(302, None, {"location": target}, content_type="text/plain")

        account = self._account_for(query.get("client_id", ""))
        scopes = frozenset(query.get("scope", "").split())
        method = query.get("code_challenge_method", "plain")
        if query.get("response_type") != "code" or account is None:
            return back(error="invalid_request")
        if not state or len(state) > MAX_STATE_CHARS or not scopes <= KNOWN_SCOPES:
            return back(error="invalid_request")
        if method not in ("S256", "plain") or not query.get("code_challenge"):
            return back(error="invalid_request")
        code = secrets.token_urlsafe(24)
        with self._lock:
            self._codes[code] = _Code(
                account,
                query["client_id"],
                redirect,
                scopes,
                query["code_challenge"],
                method,
                self._clock.now() + CODE_LIFETIME,
            )
        return back(code=code)

    def token(self, request: Request, _match: Any) -> Response:
        """``POST /2/oauth2/token``: a code or a refresh token for a new pair."""
        form = {name: values[-1] for name, values in parse_qs(request.body.decode()).items()}
        grant = form.get("grant_type")
        if grant == "authorization_code":
            return self._exchange(form)
        if grant == "refresh_token":
            return self._refresh_pair(form)
        return _oauth_error("grant_type must be authorization_code or refresh_token")

    def _exchange(self, form: dict[str, str]) -> Response:
        with self._lock:
            code = self._codes.pop(form.get("code", ""), None)  # once, used or not
        if code is None or code.expires_at < self._clock.now():
            return _oauth_error("Value passed for the authorization code was invalid.")
        if form.get("client_id") != code.client_id or form.get("redirect_uri") != code.redirect_uri:
            return _oauth_error("client_id or redirect_uri do not match the authorization")
        verifier = form.get("code_verifier", "")
        expected = s256(verifier) if code.method == "S256" else verifier
        if not verifier or not secrets.compare_digest(expected, code.challenge):
            return _oauth_error("Value passed for the code verifier did not match the challenge.")
        return self._issue(code.account, code.scopes, code.client_id)

    def _refresh_pair(self, form: dict[str, str]) -> Response:
        with self._lock:
            # Single use: taken out whether or not the rest of the request is right.
            held = self._refresh.pop(form.get("refresh_token", ""), None)
        if held is None:
            return _oauth_error("Value passed for the token was invalid.")
        account, scopes, client_id = held
        if form.get("client_id", client_id) != client_id:
            return _oauth_error("client_id does not match the token")
        with self._lock:
            self.refreshed += 1
        return self._issue(account, scopes, client_id)

    def _issue(self, account: XAccount, scopes: frozenset[str], client_id: str) -> Response:
        access = secrets.token_urlsafe(32)
        body: dict[str, Any] = {
            "token_type": "bearer",
            "expires_in": int(self._lifetime.total_seconds()),
            "access_token": access,
            "scope": " ".join(sorted(scopes)),
        }
        with self._lock:
            self.issued += 1
            expires = self._clock.now() + self._lifetime
            self._access[access] = UserGrant(account, scopes, expires)
            if "offline.access" in scopes:
                refresh = secrets.token_urlsafe(32)
                self._refresh[refresh] = (account, scopes, client_id)
                body["refresh_token"] = refresh
        return Response(200, body)

    def approve(self, account: XAccount) -> tuple[str, str, datetime]:
        """A pair for ``account`` with every scope, as the authorize page and a
        code exchange give it: (access token, refresh token, expiry, aware UTC)."""
        body = self._issue(account, KNOWN_SCOPES, sandbox_client_id(account.label)).body
        expires = self._clock.now() + timedelta(seconds=int(body["expires_in"]))
        return str(body["access_token"]), str(body["refresh_token"]), expires

    def grant_for(self, access_token: str) -> UserGrant | None:
        """The grant of a user access token still valid now; None otherwise."""
        with self._lock:
            grant = self._access.get(access_token)
        if grant is None or grant.expires_at <= self._clock.now():
            return None
        return grant
