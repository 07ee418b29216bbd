"""The Mastodon publisher: what each step of the contract sends, through Mastodon.py.

- ``verify``: ``GET /api/v1/accounts/verify_credentials`` (who the token speaks
  for) and ``GET /api/v2/instance`` (the server's limits, kept for
  ``instance_cache_s``; a limit below the configured one is a problem to fix).
- ``upload_media``: ``POST /api/v2/media`` and its processing
  (:mod:`~scheduler.platforms.mastodon.media`).
- ``create_post``: ``POST /api/v1/statuses`` with ``language``, ``visibility``,
  the content warning (``spoiler_text``) when the request has one, and the
  ``Idempotency-Key`` header: the request's key (one per publication
  and requeue). A server keeps a key for an hour and answers a second create
  with the same key with the first one's status [platforms-2026.md 6.1]: the
  one re-send that is safe. So when the create's outcome is unknown (a
  timeout, a dropped connection, a 5xx), it is sent once more at once with
  the same key, and later, while the hour lasts, by reconciliation.
- ``find_post``: within the key's hour, the same re-send; after it (or after a
  restart, which forgets what was sent), ``GET /api/v1/accounts/:id/statuses``
  back to the window's start, comparing texts without markup and links.
- ``delete_post``: ``DELETE /api/v1/statuses/:id``; 404 means gone.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from mastodon import MastodonNotFoundError

from scheduler.clock import Clock
from scheduler.errors import AuthFailed, PublishError, RateLimited, UnknownOutcome
from scheduler.platforms.base import (
    AccountIdentity,
    Credentials,
    MediaFile,
    PostRequest,
    PublishedPost,
    Publisher,
)
from scheduler.platforms.mastodon import links
from scheduler.platforms.mastodon.errors import translate
from scheduler.platforms.mastodon.media import upload
from scheduler.platforms.mastodon.settings import MastodonSettings
from scheduler.platforms.mastodon.status_text import aware, compose_text, normalise
from scheduler.platforms.mastodon.transport import client
from scheduler.platforms.profile import AccountEntry

# "Idempotency keys are stored for up to 1 hour" [platforms-2026.md 6.1]; a margin
# for the time the first create took to arrive and our clock's drift.
KEY_MEMORY = timedelta(hours=1)
KEY_MARGIN = timedelta(minutes=5)
# The server's limits (/api/v2/instance configuration) that config.yaml restates:
# section, setting, whether a larger served value allows less, the words for it
# [platforms-2026.md 6.3].
_SERVED_LIMITS = (
    ("statuses", "max_characters", False, "takes at most {} characters"),
    ("statuses", "characters_reserved_per_url", True, "counts a link as {} characters"),
    ("media_attachments", "description_limit", False, "takes alt text up to {} characters"),
)
PAGE_SIZE = 40  # the most account statuses one page holds
MAX_PAGES = 10


@dataclass(frozen=True)
class _Sent:
    """A create sent with a key whose outcome may be unknown: what to send again."""

    text: str
    media_ids: tuple[str, ...]
    language: str | None
    content_warning: str | None
    first_sent_at: datetime


class MastodonPublisher(Publisher):
    """Publishes to the account ``account.name`` (``@user@server``) with
    ``credentials["access_token"]``, on its server or on ``settings.api_base_url``
    when that is set (the sandbox). ``clock`` gives campaign time.
    """

    platform = "mastodon"

    def __init__(
        self,
        account: AccountEntry,
        settings: MastodonSettings,
        credentials: Credentials,
        clock: Clock,
    ) -> None:
        super().__init__(account.label)
        parts = links.account_parts(account.name)
        self.user, self.server = parts if parts else (account.name.lstrip("@"), "")
        self.settings = settings
        self.clock = clock
        self._token = credentials.get("access_token")
        base = settings.api_base_url or f"https://{self.server}"
        self.api, self._keeper, self._session = client(
            base, credentials, settings.request_timeout_s
        )
        self.clock_skew = self._keeper.skew
        self._account_id: str | None = None
        self._sent: dict[str, _Sent] = {}
        self._lock = threading.Lock()
        self._instance: tuple[float, dict[str, Any]] | None = None

    def __repr__(self) -> str:
        return f"MastodonPublisher({self.account_label!r}, @{self.user}@{self.server})"

    def close(self) -> None:
        self._session.close()

    def _require_token(self) -> None:
        if not self._token:
            raise AuthFailed(
                f"{self.account_label}: no access token; set the environment variable that "
                "config.yaml names under credentials.access_token"
            )

    # -- verify ---------------------------------------------------------------------

    def _verify(self) -> AccountIdentity:
        self._require_token()
        me = self.api.account_verify_credentials()
        self._account_id = str(me["id"])
        problems = self._limit_problems(self.instance_configuration())
        return AccountIdentity(
            account_id=self._account_id,
            name=str(me.get("display_name") or me.get("username") or ""),
            username=str(me.get("acct") or me.get("username") or ""),
            can_write=not problems,
            detail="; ".join(problems) or f"server {self.server or self.settings.api_base_url}",
        )

    def instance_configuration(self) -> dict[str, Any]:
        """``configuration`` of the server's ``/api/v2/instance``, read at most once
        per ``instance_cache_s`` (wall seconds)."""
        cached = self._instance
        if cached is not None and time.monotonic() - cached[0] < self.settings.instance_cache_s:
            return cached[1]
        instance = self.api.instance_v2()
        configuration = dict(instance.get("configuration") or {})
        self._instance = (time.monotonic(), configuration)
        return configuration

    def _limit_problems(self, configuration: dict[str, Any]) -> list[str]:
        """Where the server allows less than config.yaml says (then posts the check
        passed would be refused)."""
        problems = []
        for section, setting, larger_is_less, words in _SERVED_LIMITS:
            served = (configuration.get(section) or {}).get(setting)
            ours = getattr(self.settings, setting)
            if isinstance(served, int) and (served > ours if larger_is_less else served < ours):
                problems.append(
                    f"the server {words.format(served)}, but platforms.mastodon.{setting} "
                    f"is {ours}: set it to {served}"
                )
        return problems

    # -- media and posts ---------------------------------------------------------------

    def _upload_media(self, media: MediaFile) -> str:
        self._require_token()
        return upload(self.api, media, self.settings, self.clock)

    def _create_post(self, text: str, media_ids: Sequence[str], link: str | None) -> PublishedPost:
        return self._create_post_for(text, media_ids, link, PostRequest())

    def _create_post_for(
        self, text: str, media_ids: Sequence[str], link: str | None, request: PostRequest
    ) -> PublishedPost:
        self._require_token()
        status = compose_text(text, link)
        warning = request.content_warning or None
        sent = _Sent(status, tuple(media_ids), request.language, warning, self.clock.now())
        if request.key is not None:
            with self._lock:
                sent = self._sent.setdefault(request.key, sent)
        try:
            return self._send(sent, request.key)
        except Exception as error:
            first = self._translate(error, "create_post", creates=True)
            if request.key is None or not isinstance(first, UnknownOutcome):
                self._forget(request.key)
                raise first from None
        # The one safe re-send: the server answers a known key with the first status.
        try:
            return self._send(sent, request.key)
        except Exception as error:
            again = self._translate(error, "create_post", creates=True)
            if isinstance(again, UnknownOutcome | RateLimited):
                raise first from None  # still unknown: reconciliation settles it
            self._forget(request.key)  # a definite refusal: nothing was made with the key
            raise again from None

    def _forget(self, key: str | None) -> None:
        if key is not None:
            with self._lock:
                self._sent.pop(key, None)

    def _send(self, sent: _Sent, key: str | None) -> PublishedPost:
        answer = self.api.status_post(
            sent.text,
            media_ids=list(sent.media_ids) or None,
            language=sent.language,
            spoiler_text=sent.content_warning,
            sensitive=bool(sent.content_warning),
            visibility=self.settings.visibility,
            idempotency_key=key,
        )
        self._forget(key)
        return self._published(answer, sent.text)

    def _published(self, status: Any, text: str) -> PublishedPost:
        post_id = links.post_id(self.user, self.server or "localhost", str(status["id"]))
        created = status.get("created_at")
        return PublishedPost(
            platform_post_id=post_id,
            url=str(status.get("url") or links.post_url(post_id)),
            created_at=aware(created) or self.clock.now(),
            text=text,
        )

    def _find_post(self, text: str, since: datetime, until: datetime) -> PublishedPost | None:
        return self._find_post_for(text, since, until, PostRequest())

    def _find_post_for(
        self, text: str, since: datetime, until: datetime, request: PostRequest
    ) -> PublishedPost | None:
        self._require_token()
        with self._lock:
            sent = self._sent.get(request.key) if request.key is not None else None
        if sent is not None and self.clock.now() - sent.first_sent_at < KEY_MEMORY - KEY_MARGIN:
            return self._send(sent, request.key)
        return self._read_statuses(text, since, until)

    def _read_statuses(self, text: str, since: datetime, until: datetime) -> PublishedPost | None:
        if self._account_id is None:
            self._account_id = str(self.api.account_verify_credentials()["id"])
        wanted = normalise(text)
        page: Any = self.api.account_statuses(
            self._account_id, limit=PAGE_SIZE, exclude_reblogs=True, exclude_replies=True
        )
        for _ in range(MAX_PAGES):
            if not page:
                return None
            for status in page:  # newest first
                created = aware(status.get("created_at"))
                if created is not None and created < since:
                    return None
                if created is not None and created > until:
                    continue
                if normalise(str(status.get("content") or "")) == wanted:
                    return self._published(status, text)
            page = self.api.fetch_next(page)
        return None

    def _delete_post(self, platform_post_id: str) -> bool:
        self._require_token()
        try:
            self.api.status_delete(links.status_id(platform_post_id))
        except MastodonNotFoundError:
            return False
        return True

    def _translate(self, error: Exception, operation: str, creates: bool) -> PublishError:
        return translate(
            error,
            where=f"{self.account_label} {operation}",
            operation=operation,
            creates=creates,
            response=self._keeper.last_response(),
            now=self.clock.now(),
            timeout_s=self.settings.request_timeout_s,
        )
