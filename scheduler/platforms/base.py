"""The publisher contract every platform adapter implements.

A publisher speaks for one account. The public methods are template methods:
they time the call, log it, and translate any failure with ``_translate``; each
platform implements only the underscored steps.

Outcomes (see :mod:`scheduler.errors`):

=================  ==========================================================
RateLimited        wait until ``reset_at`` (UTC), then try again
TransientError     nothing visible changed; retry with backoff
DuplicateContent   the platform already has this text; reconcile
AuthFailed         pause the account until a person fixes the credentials
Rejected           permanent; fail the publication with the platform's words
UnknownOutcome     the create call may have been applied; reconcile first
=================  ==========================================================
"""

from __future__ import annotations

import logging
import time
from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import TypeVar

from scheduler.errors import PublishError, Rejected, TransientError
from scheduler.platforms.skew import MeasuredClock
from scheduler.platforms.values import (
    AccountCheck,
    AccountIdentity,
    Credentials,
    MediaFile,
    PostRequest,
    PublishedPost,
)

__all__ = [
    "AccountCheck",
    "AccountIdentity",
    "Credentials",
    "MediaFile",
    "PostRequest",
    "PublishedPost",
    "Publisher",
]

logger = logging.getLogger(__name__)

T = TypeVar("T")


class Publisher(MeasuredClock, ABC):
    """Publishes to one account of one platform.

    Subclasses set ``platform`` and implement the ``_`` methods plus
    ``_translate``. All methods may raise only
    :class:`~scheduler.errors.PublishError` subclasses. ``posts_read``: the posts
    :meth:`find_post` has read back so far (a platform may bill each read).
    """

    platform: str = ""
    posts_read: int = 0

    def __init__(self, account_label: str) -> None:
        self.account_label = account_label

    # -- public template methods --------------------------------------------------

    def verify(self) -> AccountIdentity:
        """Check the credentials: who they speak for and whether they may write.

        A valid token that may not post returns ``can_write=False`` with the
        reason in ``detail``, so a preflight can show every problem at once.

        :raises AuthFailed: credentials missing, invalid or expired.
        :raises TransientError | RateLimited: the check could not be made now.
        """
        return self._call("verify", self._verify, creates=False)

    def upload_media(self, media: MediaFile) -> str:
        """Upload ``media``; returns the platform's media id, ready to attach.

        Uploading changes nothing visible, so every failure short of auth,
        rejection or rate limit is Transient.

        :raises Rejected: the platform refused the file (type, size, processing failed).
        """
        return self._call("upload_media", lambda: self._upload_media(media), creates=False)

    def create_post(
        self, text: str, media_ids: Sequence[str] = (), link: str | None = None, *,
        request: PostRequest | None = None,
    ) -> PublishedPost:  # fmt: skip
        """Create the post. Irreversible: callers must never retry it blindly.

        ``media_ids`` come from ``upload_media`` of this publisher; ``request``: see
        :class:`PostRequest`.

        :raises UnknownOutcome: the post may exist (timeout, dropped connection, 5xx).
        :raises DuplicateContent: the platform says it already has this text.
        """
        chosen = request or PostRequest()
        step = lambda: self._create_post_for(text, media_ids, link, chosen)  # noqa: E731
        return self._call("create_post", step, creates=True)

    def find_post(
        self, text: str, since: datetime, until: datetime, *, request: PostRequest | None = None
    ) -> PublishedPost | None:
        """Find a post of this account whose text matches ``text`` once both are
        normalised the way the platform rewrites text (links, entities), created
        between ``since`` and ``until`` (aware UTC, inclusive). Newest match wins;
        None when there is none. ``request`` is the create's: a platform that
        remembers its key may settle the question with it.

        :raises TransientError | RateLimited | AuthFailed: the lookup failed.
        """
        chosen = request or PostRequest()
        return self._call(
            "find_post", lambda: self._find_post_for(text, since, until, chosen), creates=False
        )

    def delete_post(self, platform_post_id: str) -> bool:
        """Take the post ``platform_post_id`` of this account down (``campaign
        withdraw``). True when it was deleted now; False when the platform says it
        is not there (deleted already, by this or by a person), which counts as
        withdrawn, so a withdrawal is safe to repeat.

        :raises RateLimited | TransientError: try again later (nothing changed, or
            the delete went through and the next try finds nothing).
        :raises AuthFailed: the credentials may not delete.
        :raises Rejected: the platform refuses to delete it (or cannot delete at all).
        """
        return self._call("delete_post", lambda: self._delete_post(platform_post_id), creates=False)

    def close(self) -> None:
        """Release connections. Idempotent."""

    # -- the platform's steps ------------------------------------------------------

    @abstractmethod
    def _verify(self) -> AccountIdentity: ...

    @abstractmethod
    def _upload_media(self, media: MediaFile) -> str: ...

    @abstractmethod
    def _create_post(
        self, text: str, media_ids: Sequence[str], link: str | None
    ) -> PublishedPost: ...

    @abstractmethod
    def _find_post(self, text: str, since: datetime, until: datetime) -> PublishedPost | None: ...

    def _create_post_for(
        self, text: str, media_ids: Sequence[str], link: str | None, request: PostRequest
    ) -> PublishedPost:
        """The create step with its request; by default ``_create_post``."""
        return self._create_post(text, media_ids, link)

    def _find_post_for(
        self, text: str, since: datetime, until: datetime, request: PostRequest
    ) -> PublishedPost | None:
        """The lookup step with its request; by default ``_find_post``."""
        return self._find_post(text, since, until)

    def _delete_post(self, platform_post_id: str) -> bool:
        raise Rejected(f"{self.platform or 'this platform'} posts cannot be deleted by the program")

    @abstractmethod
    def _translate(self, error: Exception, operation: str, creates: bool) -> PublishError:
        """Map a library exception to a PublishError.

        ``creates`` is True for the create call: there, a timeout, dropped
        connection or 5xx means UnknownOutcome; elsewhere it means TransientError.
        """

    # -- shared plumbing -------------------------------------------------------------

    def _call(self, operation: str, step: Callable[[], T], *, creates: bool) -> T:
        started = time.perf_counter()
        try:
            result = step()
        except PublishError as error:
            self._log_failure(operation, error, started)
            raise
        except Exception as error:  # translated here and only here
            translated = self._translate(error, operation, creates)
            self._log_failure(operation, translated, started)
            raise translated from None
        logger.debug(
            "%s %s for %s took %.1f ms",
            self.platform,
            operation,
            self.account_label,
            (time.perf_counter() - started) * 1000,
        )
        return result

    def _log_failure(self, operation: str, error: PublishError, started: float) -> None:
        logger.info(
            "%s %s for %s failed after %.1f ms: %s (%s)",
            self.platform,
            operation,
            self.account_label,
            (time.perf_counter() - started) * 1000,
            error,
            error.outcome,
        )


def transient_from_connection(error: Exception, operation: str) -> TransientError:
    """A TransientError for a connection-level failure on a call that changes nothing."""
    return TransientError(f"{operation}: {type(error).__name__}: {error}")
