"""The secret of the calendar feed's address: ``/schedule.ics?token=...``.

A team calendar on another machine subscribes to that address; it is the one
page the dashboard serves without a sign-in when it listens beyond this
machine. The database keeps only the token's SHA-256 hash (a fact of
:mod:`scheduler.storage.facts`): whoever reads the database cannot rebuild
the address. :func:`rotate_feed_token` makes a new token and forgets the old
one, which stops working at once; the audit trail records who did it and why.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime

from sqlalchemy.orm import Session

from scheduler.storage.audit import record_audit
from scheduler.storage.models import StoreFact

FEED_TOKEN_HASH = "ics_feed_token_sha256"
# 32 random bytes, URL-safe: as hard to guess as a long password, short enough to paste.
TOKEN_BYTES = 32


def _digest(token: str) -> str:
    return hashlib.sha256(token.strip().encode("utf-8")).hexdigest()


def rotate_feed_token(session: Session, *, actor: str, reason: str, now: datetime) -> str:
    """A new feed token (returned once, never stored) in the caller's transaction;
    the previous one, if any, stops working."""
    token = secrets.token_urlsafe(TOKEN_BYTES)
    had_one = session.get(StoreFact, FEED_TOKEN_HASH) is not None
    session.merge(StoreFact(key=FEED_TOKEN_HASH, value=_digest(token), recorded_at=now))
    detail = "rotated: the previous address stopped working" if had_one else "created"
    record_audit(session, "feed-token", "schedule.ics", reason, actor, now, detail)
    return token


def feed_token_matches(session: Session, submitted: str | None) -> bool:
    """Whether ``submitted`` is the current feed token (compared in constant time);
    False when there is none yet."""
    if not submitted:
        return False
    stored = session.get(StoreFact, FEED_TOKEN_HASH)
    if stored is None:
        return False
    return hmac.compare_digest(stored.value.encode(), _digest(submitted).encode())
