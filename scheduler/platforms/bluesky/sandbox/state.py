"""What the Bluesky stand-in holds: accounts, their sessions, records, blobs and rate points.

Sessions are JWTs as the reference PDS issues them: access tokens for 120
minutes, refresh tokens for 90 days, each refresh rotating the refresh token
(the old one keeps a 2-hour grace) [platforms-2026.md 5.1]; times run on the
stand-in's clock. Write points: 5,000 an hour and 35,000 a day per account,
create 3, delete 1 [platforms-2026.md 5.4].
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from scheduler.platforms.bluesky import rates
from scheduler.platforms.bluesky.sandbox.credentials import (
    app_password,
    main_password,
    sandbox_credentials,
)
from scheduler.platforms.profile import AccountEntry

ACCESS_LIFETIME = timedelta(minutes=120)
REFRESH_LIFETIME = timedelta(days=90)
REFRESH_GRACE = timedelta(hours=2)
MIN_ACCESS_WALL_S = 10.0  # the least wall time an access token lasts (fast rehearsals)
_B32 = "abcdefghijklmnopqrstuvwxyz234567"


def cid_of(data: bytes) -> str:
    """A CIDv1 (dag-cbor, sha-256) string for ``data``, base32 as the PDS writes it."""
    digest = b"\x01\x71\x12\x20" + hashlib.sha256(data).digest()
    bits = "".join(f"{byte:08b}" for byte in digest)
    bits += "0" * (-len(bits) % 5)
    return "b" + "".join(_B32[int(bits[i : i + 5], 2)] for i in range(0, len(bits), 5))


def _b64(data: dict[str, Any]) -> str:
    raw = json.dumps(data, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


@dataclass
class StoredRecord:
    """A post record: its key, the record as sent, when it arrived (campaign UTC)."""

    rkey: str
    cid: str
    value: dict[str, Any]
    received_at: datetime


@dataclass
class Blob:
    """An uploaded blob: MIME type, bytes."""

    mime_type: str
    data: bytes


@dataclass
class RepoState:
    """One account's repository, sessions and rate points."""

    label: str
    did: str
    handle: str
    identifiers: frozenset[str]
    records: dict[str, StoredRecord] = field(default_factory=dict)
    blobs: dict[str, Blob] = field(default_factory=dict)
    videos: dict[str, int] = field(default_factory=dict)  # processed video blob cid -> size
    access: dict[str, datetime] = field(default_factory=dict)  # jti -> expiry
    refresh: dict[str, datetime] = field(default_factory=dict)  # jti -> usable until
    sessions_opened: int = 0
    points: dict[tuple[str, int], int] = field(default_factory=dict)  # (window, index) -> spent


class BlueskyState:
    """Every account's repository, keyed by DID; thread-safe through ``lock``."""

    def __init__(
        self,
        accounts: Iterable[AccountEntry],
        points_per_hour: int = rates.POINTS_PER_HOUR,
        points_per_day: int = rates.POINTS_PER_DAY,
    ) -> None:
        self.lock = threading.RLock()
        self.repos: dict[str, RepoState] = {}
        self.points_per_hour = points_per_hour
        self.points_per_day = points_per_day
        for account in accounts:
            handle = account.name.removeprefix("@").lower()
            did = "did:plc:" + hashlib.sha256(account.label.encode()).hexdigest()[:24]
            test_handle = sandbox_credentials(account.label)["handle"]
            self.repos[did] = RepoState(
                account.label, did, handle, frozenset({handle, test_handle, did})
            )

    def repo(self, key: str) -> RepoState | None:
        """The repository of a DID, handle or account label."""
        found = self.repos.get(key)
        if found is not None:
            return found
        lowered = key.lower()
        return next(
            (r for r in self.repos.values() if lowered in r.identifiers or r.label == key), None
        )

    def password_scope(self, repo: RepoState, password: str) -> str | None:
        """The scope a session opened with ``password`` gets, None when it is wrong."""
        if password == app_password(repo.label):
            return "com.atproto.appPass"
        if password == main_password(repo.label):
            return "com.atproto.access"
        return None

    def issue(
        self, repo: RepoState, scope: str, now: datetime, speed: float = 1.0
    ) -> dict[str, str]:
        """A new pair of tokens for ``repo``. ``speed`` is campaign seconds per wall
        second: in a fast rehearsal an access token still lasts a few wall seconds
        (at 50,000 times, two campaign hours would be a seventh of a wall second,
        expired before the request that carries it arrives)."""
        access_id, refresh_id = secrets.token_hex(8), secrets.token_hex(8)
        access_exp = now + max(ACCESS_LIFETIME, timedelta(seconds=MIN_ACCESS_WALL_S * speed))
        refresh_exp = now + REFRESH_LIFETIME
        repo.access[access_id] = access_exp
        repo.refresh[refresh_id] = refresh_exp
        header = _b64({"typ": "at+jwt", "alg": "HS256"})
        access = {"scope": scope, "sub": repo.did, "iat": int(now.timestamp()),
                  "exp": int(access_exp.timestamp()), "jti": access_id, "aud": "did:web:sandbox"}  # fmt: skip
        refresh = {"scope": "com.atproto.refresh", "sub": repo.did, "iat": int(now.timestamp()),
                   "exp": int(refresh_exp.timestamp()), "jti": refresh_id, "aud": "did:web:sandbox"}  # fmt: skip
        signature = secrets.token_urlsafe(16)
        return {
            "accessJwt": f"{header}.{_b64(access)}.{signature}",
            "refreshJwt": f"{header}.{_b64(refresh)}.{signature}",
            "handle": repo.handle,
            "did": repo.did,
        }

    def spend(self, repo: RepoState, points: int, now: datetime) -> datetime | None:
        """Spend ``points`` of ``repo``'s write budget; the reset time (UTC) when a
        window is spent (nothing is spent then), else None."""
        stamp = int(now.timestamp())
        windows = (("hour", 3600, self.points_per_hour), ("day", 86400, self.points_per_day))
        for name, length, limit in windows:
            index = stamp // length
            if repo.points.get((name, index), 0) + points > limit:
                return datetime.fromtimestamp((index + 1) * length, now.tzinfo)
        for name, length, _limit in windows:
            key = (name, stamp // length)
            repo.points[key] = repo.points.get(key, 0) + points
        return None

    def remaining(self, repo: RepoState, now: datetime) -> tuple[int, int]:
        """(points left this hour, the hour's reset in epoch seconds)."""
        index = int(now.timestamp()) // 3600
        return self.points_per_hour - repo.points.get(("hour", index), 0), (index + 1) * 3600
