"""Who a daemon is: its worker id, how often it beats, and one name per live daemon.

A daemon's worker id is written on every claim it makes, so two live daemons
must never share one (each would think the other's claims its own).
``campaign status`` reads the heartbeats to tell a live daemon from a gone one.
"""

from __future__ import annotations

import os
import socket
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy.orm import Session, sessionmaker

from scheduler.daemon.recovery import process_exists
from scheduler.errors import ConfigError
from scheduler.storage import daemon_state

HEARTBEAT_WALL_S = 10.0
# A heartbeat older than this many intervals means the daemon is gone.
STALE_HEARTBEATS = 3


def new_worker_id() -> str:
    """``host:pid:random``: unique per daemon, and says where it ran."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


def refuse_a_namesake(
    sessions: sessionmaker[Session],
    worker_id: str,
    now: datetime,
    campaign_duration: Callable[[float], timedelta],
) -> None:
    """Refuse to start when a live daemon elsewhere already has ``worker_id``.

    A namesake is gone when it recorded a stop, when its heartbeat is older than
    ``STALE_HEARTBEATS`` intervals (``campaign_duration`` turns wall seconds into
    campaign time; ``now`` is campaign time, aware UTC), or when it ran on this
    host in a process that no longer exists. This very process is no namesake.

    :raises ConfigError: naming the live daemon's host, pid and last heartbeat.
    :raises StorageError: when the database cannot be read.
    """
    existing = daemon_state.worker(sessions, worker_id)
    if existing is None or existing.stopped_at is not None:
        return
    me = (socket.gethostname(), os.getpid())
    silent = now - existing.heartbeat_at > campaign_duration(HEARTBEAT_WALL_S * STALE_HEARTBEATS)
    gone = existing.hostname == me[0] and not process_exists(existing.pid)
    if (existing.hostname, existing.pid) == me or silent or gone:
        return
    raise ConfigError(
        f"a daemon named {worker_id} is running on {existing.hostname} "
        f"(pid {existing.pid}, last heartbeat {existing.heartbeat_at:%Y-%m-%d %H:%M:%S} UTC)",
        where="--worker-id",
        hint="give this daemon another --worker-id, or leave it out for a unique one",
    )
