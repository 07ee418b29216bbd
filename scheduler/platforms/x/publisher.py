"""The X publisher: tweepy's v2 ``Client`` with OAuth 1.0a or OAuth 2.0 user context.

OAuth 1.0a (the default) signs each request with the environment's four values.
OAuth 2.0 (``auth: oauth2``) sends the user access token as a bearer (tweepy's
``user_auth=False``), asking ``credentials.access_token`` for it before each call
(renewed through the token store); X's v2 post, timeline, delete and media
endpoints accept it with :data:`~scheduler.platforms.x.oauth2.SCOPES` (X OpenAPI).

tweepy hard-codes ``https://api.twitter.com`` and has no timeout; a transport
adapter on the client's session sends its requests to the configured base URL
(the real API or the sandbox) with ``request_timeout_s`` [platforms.md 0.1].
The client returns raw ``requests.Response`` objects, so the headers
(``x-access-level``, rate limits) are visible too.

Post ids are snowflakes: the creation time is in the id itself, which is how
:class:`~scheduler.platforms.base.PublishedPost` gets ``created_at`` from a
create answer that does not state it.

Withdrawal (``delete_post``) is ``DELETE /2/tweets/{id}``, answered
``{"data": {"deleted": true}}`` [platforms.md 1.1]; an id X does not have is a
resource-not-found error (in a 200 answer's ``errors``, as v2 answers unknown
ids, or a 404), which means it is gone.

Reconciliation (``find_post``) reads the account's timeline,
``GET /2/users/{id}/tweets``, where X returns links rewritten to ``t.co``, a
trailing ``t.co`` link for attached media and ``&``, ``<``, ``>`` as HTML
entities [platforms.md 1.7]; :func:`normalise` undoes what can be undone and
drops every link on both sides before comparing.
"""

from __future__ import annotations

import html
import json
import unicodedata
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import requests
import tweepy
from requests import PreparedRequest
from requests.auth import AuthBase

from scheduler.clock import Clock
from scheduler.errors import PublishError, Rejected
from scheduler.platforms.base import (
    AccountIdentity,
    Credentials,
    MediaFile,
    PublishedPost,
    Publisher,
)
from scheduler.platforms.profile import AccountEntry
from scheduler.platforms.secrets import redact
from scheduler.platforms.transport import mount_base_url
from scheduler.platforms.x.errors import translate_x_error
from scheduler.platforms.x.links import post_url
from scheduler.platforms.x.media import XMediaUploader
from scheduler.platforms.x.settings import XSettings

PUBLIC_BASE = "https://api.twitter.com"
# Snowflake epoch of X ids, in milliseconds (2010-11-04T01:42:54.657Z).
SNOWFLAKE_EPOCH_MS = 1288834974657
# Pages read back while looking for a post (X serves at most 3,200 posts).
MAX_TIMELINE_PAGES = 10
# Posts on the first page, X's smallest (max_results 5 to 100, platforms.md 1):
# the post looked for is nearly always among the newest, and X bills each post
# read back. Later pages, on a busy timeline, take X's largest.
FIRST_PAGE_SIZE, PAGE_SIZE = 5, 100
WRITE_ACCESS = ("read-write", "read-write-directmessages", "write")


def compose_text(text: str, link: str | None) -> str:
    """The text sent to X: ``link`` goes on its own line unless the text already has it."""
    if link and link not in text:
        return f"{text}\n{link}"
    return text


def normalise(text: str) -> str:
    """Text reduced to what survives X's rewriting: entities unescaped, NFC, links dropped,
    whitespace collapsed."""
    # Imported here: twitter-text builds its emoji and URL patterns on import (about
    # 0.6 s), and only a reconciliation needs it; the daemon starts that much sooner.
    from twitter_text import extract_urls_with_indices

    text = unicodedata.normalize("NFC", html.unescape(text))
    kept: list[str] = []
    position = 0
    for found in extract_urls_with_indices(text):
        start, end = found["indices"]
        kept.append(text[position:start])
        position = end
    kept.append(text[position:])
    return " ".join("".join(kept).split())


def snowflake_time(post_id: str) -> datetime | None:
    """The creation instant (aware UTC) encoded in an X id, or None if it is not a snowflake."""
    try:
        value = int(post_id)
    except ValueError:
        return None
    if value < 1 << 22:
        return None
    return datetime.fromtimestamp(((value >> 22) + SNOWFLAKE_EPOCH_MS) / 1000, UTC)


class XPublisher(Publisher):
    """Publishes to one X account. ``settings`` gives the base URL and timeout."""

    platform = "x"
    refuses_skewed_requests = True  # OAuth 1.0a's oauth_timestamp (RFC 5849 3.3)

    def __init__(
        self, account: AccountEntry, settings: XSettings, credentials: Credentials, clock: Clock
    ) -> None:
        super().__init__(account.label)
        self._clock = clock
        self._token = credentials.access_token
        self._user_auth = self._token is None
        if self._token is not None:
            self._client = tweepy.Client(return_type=requests.Response, wait_on_rate_limit=False)
            mount_base_url(
                self._client.session, PUBLIC_BASE, settings.api_base_url, settings.request_timeout_s
            )
            self._media = XMediaUploader(self._client.session, _Bearer(self), PUBLIC_BASE, clock)
            self._user_id: str | None = None
            return
        self._client = tweepy.Client(
            bearer_token=credentials.get("bearer_token"),
            consumer_key=credentials["api_key"],
            consumer_secret=credentials["api_secret"],
            access_token=credentials["access_token"],
            access_token_secret=credentials["access_token_secret"],
            return_type=requests.Response,
            wait_on_rate_limit=False,
        )
        session = self._client.session
        self.clock_skew = mount_base_url(
            session, PUBLIC_BASE, settings.api_base_url, settings.request_timeout_s
        ).skew
        auth = tweepy.OAuth1UserHandler(
            credentials["api_key"],
            credentials["api_secret"],
            credentials["access_token"],
            credentials["access_token_secret"],
        ).apply_auth()
        self._media = XMediaUploader(session, auth, PUBLIC_BASE, clock)
        # X user access tokens start with the user's numeric id ("<id>-<random>").
        prefix = credentials["access_token"].split("-", 1)[0]
        self._user_id = prefix if prefix.isdigit() else None

    def bearer(self) -> str:
        """The OAuth 2.0 access token to send now, renewed when due; also set on
        the tweepy client, whose ``user_auth=False`` calls send it.

        :raises AuthFailed: the account must be connected again.
        :raises TransientError: the renewal got no answer and the token expired.
        """
        assert self._token is not None  # only in OAuth 2.0 mode
        token = self._token()
        self._client.bearer_token = token  # any valid token will do across threads
        return token

    def _auth(self) -> bool:
        """tweepy's ``user_auth`` for the next call: OAuth 1.0a, or the bearer set now."""
        if self._user_auth:
            return True
        self.bearer()
        return False

    def __repr__(self) -> str:
        return f"XPublisher({self.account_label!r})"

    def _verify(self) -> AccountIdentity:
        response = self._client.get_me(user_auth=self._auth())
        data = response.json()["data"]
        self._user_id = str(data["id"])
        access = response.headers.get("x-access-level", "")
        can_write = access in WRITE_ACCESS or not access
        detail = f"access level {access}" if access else "access level not reported"
        if not can_write:
            detail += "; give the app Read and write permission and regenerate the access token"
        return AccountIdentity(
            account_id=self._user_id,
            name=str(data.get("name", "")),
            username=data.get("username"),
            can_write=can_write,
            # OAuth 1.0a user tokens do not expire; OAuth 2.0 ones are renewed.
            token_expires_at=None,
            detail=detail,
        )

    def _upload_media(self, media: MediaFile) -> str:
        return self._media.upload(media)

    def _create_post(self, text: str, media_ids: Sequence[str], link: str | None) -> PublishedPost:
        response = self._client.create_tweet(
            text=compose_text(text, link),
            media_ids=list(media_ids) or None,
            user_auth=self._auth(),
        )
        data = response.json()["data"]
        post_id = str(data["id"])
        return PublishedPost(
            platform_post_id=post_id,
            url=post_url(post_id),
            created_at=snowflake_time(post_id) or self._clock.now(),
            text=str(data.get("text", "")),
        )

    def check_clock(self) -> float | None:
        # An unauthenticated HEAD costs no rate limit and carries X's Date; its
        # status (X answers 401 or 404) does not matter.
        try:
            self._client.session.head(f"{PUBLIC_BASE}/2/openapi.json")
        except requests.RequestException:
            return None
        return self.clock_skew_s()

    def _find_post(self, text: str, since: datetime, until: datetime) -> PublishedPost | None:
        wanted = normalise(text)
        user_id = self._user_id or self._verify().account_id
        params: dict[str, Any] = {
            # X bills each post read back ("Owned Reads", platforms-2026.md 3).
            "max_results": FIRST_PAGE_SIZE,
            "tweet_fields": ["created_at"],
            "start_time": since - timedelta(seconds=1),
        }
        if until + timedelta(seconds=1) < self._clock.now():
            params["end_time"] = until + timedelta(seconds=1)
        for _ in range(MAX_TIMELINE_PAGES):
            body = self._client.get_users_tweets(user_id, user_auth=self._auth(), **params).json()
            self.posts_read += len(body.get("data", []))
            for item in body.get("data", []):  # newest first
                created = _parse_time(item.get("created_at")) or snowflake_time(item["id"])
                if created is not None and not since <= created <= until:
                    continue
                if normalise(item["text"]) == wanted:
                    return PublishedPost(
                        platform_post_id=item["id"],
                        url=post_url(item["id"]),
                        created_at=created,
                        text=item["text"],
                    )
            next_token = body.get("meta", {}).get("next_token")
            if not next_token:
                return None
            params.update(pagination_token=next_token, max_results=PAGE_SIZE)
        return None

    def _delete_post(self, platform_post_id: str) -> bool:
        try:
            response = self._client.delete_tweet(platform_post_id, user_auth=self._auth())
        except tweepy.NotFound:
            return False
        body = response.json()
        if (body.get("data") or {}).get("deleted") is True:
            return True
        if any(_not_found(problem) for problem in body.get("errors") or []):
            return False
        raise Rejected("X did not delete the post", platform_message=redact(json.dumps(body)[:500]))

    def _translate(self, error: Exception, operation: str, creates: bool) -> PublishError:
        return translate_x_error(error, operation, creates, self._clock)

    def close(self) -> None:
        self._client.session.close()


class _Bearer(AuthBase):
    """Media requests' ``Authorization: Bearer`` with the publisher's current token."""

    def __init__(self, publisher: XPublisher) -> None:
        self._publisher = publisher

    def __call__(self, request: PreparedRequest) -> PreparedRequest:
        request.headers["Authorization"] = f"Bearer {self._publisher.bearer()}"
        return request


def _not_found(problem: object) -> bool:
    """A v2 error saying the post is not there (``resource-not-found``)."""
    if not isinstance(problem, dict):
        return False
    return str(problem.get("type", "")).endswith("/resource-not-found") or (
        problem.get("title") == "Not Found Error"
    )


def _parse_time(value: object) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00")).astimezone(UTC)
    except ValueError:
        return None
