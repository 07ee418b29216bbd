"""Crash trials: a real `campaign run` process, SIGKILLed at each named crash
point three times, restarted, against the sandbox over real HTTP. Nothing is
lost and nothing is published twice."""

from __future__ import annotations

import signal
from collections import Counter
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from scheduler.clock import utc_now
from scheduler.content.resolved import ResolvedPost
from scheduler.daemon.crashpoints import POINTS
from scheduler.sandbox.faults import Fault
from scheduler.storage.models import Attempt, Publication
from tests.daemon.conftest import resolved
from tests.daemon.live import LiveCampaign, stop

KILLS_PER_POINT = 3
ACCOUNTS = ("x-main", "x-fr", "facebook-main")


@pytest.mark.slow
def test_sigkill_at_every_crash_point_loses_and_duplicates_nothing(
    tmp_path: Path, sqlite_url: str
) -> None:
    live = LiveCampaign(tmp_path, sqlite_url)
    posts: list[ResolvedPost] = []

    def more_work(count: int = 6) -> None:
        """Posts due in a moment, so every daemon life has work to crash in."""
        due = utc_now() + timedelta(seconds=1)
        for _ in range(count):
            n = len(posts)
            posts.append(
                resolved(
                    f"crash-{n}",
                    due + timedelta(seconds=0.05 * n),
                    targets=(ACCOUNTS[n % 3],),
                    text=f"Crash trial {n}: every state, join the treaty #StopClusterBombsNow",
                )
            )
        live.queue(posts)

    try:
        kills: Counter[str] = Counter()
        for point in POINTS:
            if point == "after_create_sent":
                # The platform stores the post, then answers late: the kill lands
                # while the create call is in flight.
                for endpoint in ("x.create_post", "facebook.photos"):
                    live.faults.add(Fault(endpoint, "slow", delay_s=1.0, times=KILLS_PER_POINT))
            for _ in range(KILLS_PER_POINT):
                more_work()
                process = live.start(crash_at=point, CAMPAIGN_CRASH_DELAY_S="0.2")
                code = process.wait(timeout=120)
                log = (tmp_path / f"daemon-{live.runs}.log").read_text(errors="replace")
                assert code == -signal.SIGKILL, log[-3000:]
                assert f"crash point {point} reached" in log
                kills[point] += 1
            live.faults.clear()
        final = live.start()
        states = live.wait_settled(timeout_s=120)
        assert stop(final) == 0

        assert kills == dict.fromkeys(POINTS, KILLS_PER_POINT)
        with live.sessions() as session:
            publications = list(session.scalars(select(Publication)))
            outcomes = Counter(session.scalars(select(Attempt.outcome)))
        assert set(states.values()) <= {"published", "failed", "needs_review"}
        for publication in publications:
            if publication.state == "failed":
                assert publication.last_error
        texts = live.platform_texts()
        ids = live.platform_ids()
        for publication in publications:
            text = " ".join(
                f"Crash trial {publication.post_id.split('-')[1]}: every state, join the treaty #StopClusterBombsNow".split()
            )
            on_platform = texts[publication.account_label][text]
            if publication.state == "published":
                assert on_platform == 1, publication.post_id
                assert publication.platform_post_id in ids
            else:  # the sandbox answers reads at once: a post that exists is found
                assert on_platform == 0, publication.post_id
        assert all(count == 1 for counter in texts.values() for count in counter.values())
        assert outcomes["crashed"] >= len(POINTS) * KILLS_PER_POINT
        assert outcomes["reconciled"] >= KILLS_PER_POINT  # the kills after the create call
    finally:
        live.close()
