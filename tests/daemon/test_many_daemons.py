"""Several `campaign run` processes on one database (PostgreSQL, and SQLite,
which is safe the same way: every claim is one conditional UPDATE under the
write lock), publishing to the sandbox over real HTTP: each post exactly once."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta
from pathlib import Path

from sqlalchemy import func, select

from scheduler.clock import utc_now
from scheduler.storage.models import Attempt
from tests.daemon.conftest import resolved
from tests.daemon.live import LiveCampaign, stop

ACCOUNTS = ("x-main", "x-fr", "facebook-main")
POSTS = 60


def test_three_daemon_processes_publish_each_post_exactly_once(tmp_path: Path, db_url: str) -> None:
    live = LiveCampaign(tmp_path, db_url)
    try:
        due = utc_now() + timedelta(seconds=4)
        live.queue(
            [
                resolved(
                    f"many-{n}",
                    due,
                    targets=(ACCOUNTS[n % 3],),
                    text=f"Post {n} of {POSTS}: join the treaty #StopClusterBombsNow",
                )
                for n in range(POSTS)
            ]
        )
        processes = [live.start() for _ in range(3)]
        states = live.wait_settled(timeout_s=120)
        assert [stop(process) for process in processes] == [0, 0, 0]

        assert Counter(states.values()) == {"published": POSTS}
        texts = live.platform_texts()
        assert sum(sum(counter.values()) for counter in texts.values()) == POSTS
        assert all(count == 1 for counter in texts.values() for count in counter.values())
        with live.sessions() as session:
            outcomes = Counter(session.scalars(select(Attempt.outcome)))
            workers = session.scalar(select(func.count(func.distinct(Attempt.worker_id))))
        assert outcomes == {"published": POSTS}
        # Each account goes to its preferred daemon (scheduler.daemon.preference):
        # with three accounts, one daemon may be preferred for all of them.
        assert workers is not None and workers >= 1
    finally:
        live.close()
