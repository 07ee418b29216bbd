"""OAuth 1.0a (HMAC-SHA1) verification, the way X checks a user-context request.

The signature covers the method, the URL the client *signed* and the
parameters (query, ``oauth_*`` header values and a form-encoded body, never a
JSON or multipart body) [RFC 5849 3.4; platforms.md 0.1]. The client signs the
public URL (``https://api.twitter.com/2/tweets``) even though a transport
adapter delivers it to 127.0.0.1, so the sandbox recomputes the signature over
each public base it stands in for. A wrong consumer or token *secret* therefore
fails, not only a wrong key.

Also checked, as OAuth servers do: ``oauth_signature_method`` is HMAC-SHA1, the
timestamp is within five minutes of the wall clock (the client signs with the
real time, whatever campaign clock the sandbox runs on), and a nonce is not
reused within that window.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from oauthlib.oauth1.rfc5849 import signature, utils

from scheduler.platforms.sandbox_server import Request

TIMESTAMP_TOLERANCE_S = 300
FORM_TYPE = "application/x-www-form-urlencoded"


class OAuth1Error(Exception):
    """The request's OAuth 1.0a authorization is missing or wrong; the message says why."""


@dataclass(frozen=True)
class OAuth1Grant:
    """Who signed: the consumer (app) key and the user's access token."""

    consumer_key: str
    token: str


@dataclass(frozen=True)
class _SignedRequest:
    """The shape oauthlib's ``verify_hmac_sha1`` reads."""

    uri: str
    http_method: str
    params: list[tuple[str, str]]
    signature: str


SecretLookup = Callable[[str, str], tuple[str, str] | None]


class OAuth1Verifier:
    """Verifies requests signed for any of ``public_bases``.

    ``secrets_for(consumer_key, token)`` returns ``(consumer_secret, token_secret)``
    or None when the pair is unknown. ``wall`` is the platform's clock (POSIX
    seconds) the timestamps are checked against.
    """

    def __init__(
        self,
        public_bases: Sequence[str],
        secrets_for: SecretLookup,
        wall: Callable[[], float] = time.time,
    ) -> None:
        self._wall = wall
        self._bases = [base.rstrip("/") for base in public_bases]
        self._secrets_for = secrets_for
        self._nonces: dict[str, float] = {}
        self._lock = threading.Lock()

    def verify(self, request: Request) -> OAuth1Grant:
        """The grant of a correctly signed ``request``.

        :raises OAuth1Error: no OAuth header, unknown key or token, bad signature,
            stale timestamp or replayed nonce.
        """
        header = request.header("Authorization")
        if not header.lower().startswith("oauth "):
            raise OAuth1Error("no OAuth 1.0a Authorization header")
        try:
            oauth = dict(utils.parse_authorization_header(header))
        except ValueError:
            raise OAuth1Error("malformed OAuth Authorization header") from None
        oauth = {key: utils.unescape(value) for key, value in oauth.items()}
        for name in ("oauth_consumer_key", "oauth_token", "oauth_signature", "oauth_nonce"):
            if not oauth.get(name):
                raise OAuth1Error(f"{name} missing")
        if oauth.get("oauth_signature_method") != "HMAC-SHA1":
            raise OAuth1Error("only HMAC-SHA1 signatures are accepted")
        try:
            timestamp = int(oauth.get("oauth_timestamp", ""))
        except ValueError:
            raise OAuth1Error("oauth_timestamp is not a number") from None
        if abs(self._wall() - timestamp) > TIMESTAMP_TOLERANCE_S:
            raise OAuth1Error("timestamp out of bounds")
        secrets = self._secrets_for(oauth["oauth_consumer_key"], oauth["oauth_token"])
        if secrets is None:
            raise OAuth1Error("unknown consumer key or access token")
        if not any(self._matches(request, base, header, oauth, secrets) for base in self._bases):
            raise OAuth1Error("signature does not match")
        self._use_nonce(oauth["oauth_nonce"], timestamp)
        return OAuth1Grant(oauth["oauth_consumer_key"], oauth["oauth_token"])

    @staticmethod
    def _matches(
        request: Request,
        base: str,
        header: str,
        oauth: dict[str, str],
        secrets: tuple[str, str],
    ) -> bool:
        query = request.raw_target.partition("?")[2]
        body = ""
        if request.header("Content-Type").split(";")[0].strip().lower() == FORM_TYPE:
            body = request.body.decode("utf-8", errors="replace")
        params = signature.collect_parameters(
            uri_query=query, body=body, headers={"Authorization": header}
        )
        signed = _SignedRequest(
            uri=base + request.path,
            http_method=request.method,
            params=params,
            signature=oauth["oauth_signature"],
        )
        return bool(signature.verify_hmac_sha1(signed, secrets[0], secrets[1]))

    def _use_nonce(self, nonce: str, timestamp: int) -> None:
        now = time.time()
        with self._lock:
            if len(self._nonces) > 10_000:
                horizon = now - 2 * TIMESTAMP_TOLERANCE_S
                self._nonces = {key: at for key, at in self._nonces.items() if at > horizon}
            if nonce in self._nonces:
                raise OAuth1Error("nonce already used")
            self._nonces[nonce] = float(timestamp)
