"""The X stand-in's core: accounts, authentication, faults, rate windows, headers.

Every endpoint module (``posts``, ``media_api``, ...) takes an :class:`XStandIn`
and an :class:`XCall`; ``api`` joins them into routes; nothing here imports one.

Each request passes, in order: authentication (OAuth 1.0a signature over the
public URL, see :mod:`~scheduler.platforms.x.sandbox.oauth1`; Bearer where X allows it),
fault injection (endpoint names ``x.create_post``, ``x.delete``, ``x.lookup``,
``x.me``, ``x.timeline``, ``x.media_upload``, ``x.media_status``), the
15-minute rate window, then the work. Answers carry X's headers and bodies
(:mod:`~scheduler.platforms.x.sandbox.responses`); JSON request bodies are
validated against X's OpenAPI schemas (:mod:`~scheduler.platforms.x.sandbox.openapi`).
"""

from __future__ import annotations

import logging
import re
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from scheduler.clock import Clock
from scheduler.platforms.faults import Fault, FaultSource
from scheduler.platforms.profile import AccountEntry
from scheduler.platforms.sandbox_base import PlatformSandbox, SentImage, SentPost
from scheduler.platforms.sandbox_server import Request, Response
from scheduler.platforms.x.sandbox.limits import (
    DAY_S,
    FIFTEEN_MINUTES_S,
    RateMeter,
    WindowState,
    XLimits,
)
from scheduler.platforms.x.sandbox.oauth1 import OAuth1Error, OAuth1Verifier
from scheduler.platforms.x.sandbox.oauth2 import OAuth2Server, scopes_for
from scheduler.platforms.x.sandbox.responses import (
    common_headers,
    credits_depleted,
    daily_headers,
    duplicate,
    invalid_request,
    missing_scopes,
    read_only_app,
    server_error,
    too_many_requests,
    unauthorized,
    window_headers,
)
from scheduler.platforms.x.sandbox.state import XAccount, XPost, XState

logger = logging.getLogger(__name__)

PUBLIC_BASES = ("https://api.twitter.com", "https://api.x.com")
# Faults answered before any work is done; the rest act after it.
EARLY_FAULTS = frozenset(
    {
        "rate_limit",
        "cap_24h",
        "credits",
        "server_error",
        "timeout",
        "drop_before",
        "unauthorized",
        "expired_token",
        "forbidden",
        "duplicate",
        "invalid_media",
    }
)


@dataclass
class XCall:
    """One authenticated request. ``account`` is the user (or, for Bearer, the app's
    account); ``fault`` the injected fault still to apply, if any."""

    request: Request
    match: re.Match[str]
    account: XAccount
    user_context: bool
    fault: Fault | None = None


XHandler = Callable[["XStandIn", XCall], Response]


class XStandIn(PlatformSandbox):
    """The X API stand-in for the X accounts among ``accounts``; the routes are
    :class:`~scheduler.platforms.x.sandbox.api.XSandbox`'s. ``limits`` sets the
    rate windows; ``media_check_after_s`` is the ``check_after_secs`` media
    processing asks for; ``duplicate_window_s`` how far back (campaign seconds)
    identical text counts as a duplicate (undocumented by X); ``access_token_lifetime_s``
    OAuth 2.0 access tokens' life (None: X's two hours). For assertions: posts, count, received.
    """

    def __init__(
        self,
        accounts: Iterable[AccountEntry],
        clock: Clock,
        faults: FaultSource,
        *,
        limits: XLimits | None = None,
        media_check_after_s: int = 1,
        duplicate_window_s: int = DAY_S,
        access_token_lifetime_s: float | None = None,
    ) -> None:
        self.clock = clock
        self.faults = faults
        self.limits = limits or XLimits()
        self.state = XState(accounts, clock)
        self.meter = RateMeter(clock)
        self.media_check_after_s = media_check_after_s
        self.duplicate_window_s = duplicate_window_s
        self.received: Counter[str] = Counter()
        self._billed: Counter[str] = Counter()
        self._lock = threading.Lock()
        self._verifier = OAuth1Verifier(
            PUBLIC_BASES, self._secrets_for, lambda: time.time() + self.wall_offset_s
        )
        self.oauth2 = OAuth2Server(self.state, clock, access_token_lifetime_s)

    # -- state for assertions ------------------------------------------------------
    def account(self, label: str) -> XAccount:
        """The sandbox account ``label``; KeyError when it is not an X account."""
        return self.state.accounts[label]

    def posts(self, label: str) -> list[XPost]:
        """Posts of ``label`` that were not deleted, oldest first."""
        return list(reversed(self.state.live_posts(label)))

    def count(self, label: str | None = None) -> int:
        """Live posts of ``label`` (every account when None)."""
        labels = [label] if label is not None else list(self.state.accounts)
        return sum(len(self.state.live_posts(name)) for name in labels)

    def billed(self) -> Counter[str]:
        """Posts created, with and without a link, and posts read back from an
        account's own timeline: the rows X bills (platforms-2026.md 3)."""
        with self._lock:
            return Counter(self._billed)

    def bill(self, operation: str, count: int = 1) -> None:
        """Count ``count`` of a priced operation (see :meth:`billed`)."""
        with self._lock:
            self._billed[operation] += count

    def sent(self, label: str) -> list[SentPost]:
        """Live posts of ``label`` with the text as sent, oldest first."""
        if label not in self.state.accounts:
            return []
        media = self.state.media
        return [
            SentPost(
                post.id,
                post.submitted,
                received_at=post.created_at,
                shown_text=post.text,
                images=tuple(
                    SentImage(
                        item.kind,
                        item.mime_type.split("/")[-1].upper(),
                        item.width,
                        item.height,
                        item.size or item.total_bytes,
                        item.alt_text,
                    )
                    for item in (media[key] for key in post.media_ids if key in media)
                ),
            )
            for post in self.posts(label)
        ]

    # -- wrapping endpoints ----------------------------------------------------------

    def endpoint(
        self, name: str, window: str, limit: int, handler: XHandler, *, bearer: bool = False
    ) -> Callable[[Request, re.Match[str]], Response]:
        """Wrap ``handler`` with authentication, faults, the 15-minute window and headers."""

        def handle(request: Request, match: re.Match[str]) -> Response:
            started = time.perf_counter()
            with self._lock:
                self.received[name] += 1
            call = self._authenticate(request, match, bearer, scopes_for(name))
            if isinstance(call, Response):
                call.headers.update(common_headers(None, started))
                return call
            account = call.account
            subject = account.label if call.user_context else f"app:{account.label}"
            call.fault = self.faults.take(name, account.label)
            state = self.meter.take(window, subject, limit, FIFTEEN_MINUTES_S)
            if call.fault is not None and call.fault.kind in EARLY_FAULTS:
                response = self._early_fault(name, call, call.fault, window, subject, limit)
            elif not state.allowed:
                response = too_many_requests()
            else:
                response = handler(self, call)
                response = self._late_fault(call.fault, response)
            response.headers = {
                **common_headers(account.access_level if call.user_context else None, started),
                **window_headers(state),
                **response.headers,
            }
            return response

        return handle

    def daily_windows(self, account: XAccount, spend: bool = True) -> tuple[WindowState, ...]:
        """The 24-hour user and app post windows; ``spend`` counts one post against them."""
        operate = self.meter.take if spend else self.meter.peek
        user = operate("tweets-24h", account.label, self.limits.create_user_24h, DAY_S)
        app = operate("tweets-24h", "app", self.limits.create_app_24h, DAY_S)
        return user, app

    # -- internals ---------------------------------------------------------------------

    def _secrets_for(self, consumer_key: str, token: str) -> tuple[str, str] | None:
        account = self.state.by_token(consumer_key, token)
        if account is None:
            return None
        values = account.credentials
        return values["api_secret"], values["access_token_secret"]

    def _authenticate(
        self, request: Request, match: re.Match[str], bearer: bool, scopes: frozenset[str]
    ) -> XCall | Response:
        header = request.header("Authorization")
        if header.startswith("Bearer "):
            # An OAuth 2.0 user token: user context, within its scopes and lifetime.
            user = self.oauth2.grant_for(header.removeprefix("Bearer ").strip())
            if user is not None:
                if not scopes <= user.scopes:
                    return missing_scopes(scopes - user.scopes)
                return XCall(request, match, user.account, user_context=True)
        if bearer and header.startswith("Bearer "):
            account = self.state.by_bearer(header.removeprefix("Bearer ").strip())
            if account is None:
                return unauthorized()
            return XCall(request, match, account, user_context=False)
        try:
            grant = self._verifier.verify(request)
        except OAuth1Error as error:
            logger.debug("X sandbox refused %s %s: %s", request.method, request.path, error)
            return unauthorized()
        account = self.state.by_token(grant.consumer_key, grant.token)
        if account is None:  # pragma: no cover - the verifier found the secrets
            return unauthorized()
        return XCall(request, match, account, user_context=True)

    def _early_fault(
        self, name: str, call: XCall, fault: Fault, window: str, subject: str, limit: int
    ) -> Response:
        kind = fault.kind
        if kind == "rate_limit":
            spent = self.meter.exhaust(window, subject, limit, FIFTEEN_MINUTES_S)
            response = too_many_requests()
            response.headers.update(window_headers(spent))
            return response
        if kind == "cap_24h":
            user = self.meter.exhaust(
                "tweets-24h", call.account.label, self.limits.create_user_24h, DAY_S
            )
            response = too_many_requests()
            response.headers.update(daily_headers("user", user))
            return response
        if kind == "credits":
            return credits_depleted(int(call.account.user_id) % 10**9)
        if kind == "server_error":
            return server_error(fault.status or 500)
        if kind in ("timeout", "drop_before"):
            default_delay = 30.0 if kind == "timeout" else 0.0
            return Response(drop=True, delay_s=fault.delay_s or default_delay)
        if kind in ("unauthorized", "expired_token"):
            return unauthorized()
        if kind == "forbidden":
            return read_only_app()
        if kind == "duplicate":
            return duplicate()
        # invalid_media
        if name.startswith("x.media"):
            return invalid_request("media type unrecognized.", {"media": ["(binary)"]})
        return invalid_request("Your media IDs are invalid.", {"media.media_ids": ["0"]})

    @staticmethod
    def _late_fault(fault: Fault | None, response: Response) -> Response:
        if fault is None:
            return response
        if fault.kind == "slow":
            response.delay_s = fault.delay_s
        elif fault.kind == "drop_after":
            return Response(drop=True, delay_s=fault.delay_s)
        elif fault.kind == "error_after":
            return server_error(fault.status or 503)
        elif fault.kind != "processing_failed":
            logger.warning("fault kind %s does not apply to X; ignored", fault.kind)
        return response
