"""Sync while a daemon holds a claim: sync waits for it, then reports the conflict.

The stand-in claim here is the daemon's conditional UPDATE (pending ->
publishing) left uncommitted; the daemon's own test drives the real claim.
"""

from __future__ import annotations

import threading

from sqlalchemy import Engine, text
from sqlalchemy.orm import Session, sessionmaker

from scheduler.config import CampaignConfig
from scheduler.storage.models import Post
from scheduler.storage.sync import SyncDiff, sync_posts
from tests.storage.conftest import NOW, make_post

Sessions = sessionmaker[Session]


def test_sync_waits_for_an_open_claim_and_then_reports_a_conflict(
    sessions: Sessions, config: CampaignConfig
) -> None:
    sync_posts(sessions, [make_post()], config, now=NOW)
    engine = sessions.kw["bind"]
    assert isinstance(engine, Engine)
    results: list[SyncDiff] = []
    edited = make_post(text="Edited while claimed #StopClusterBombsNow")

    with engine.connect() as claim:
        with claim.begin():
            claimed = claim.execute(
                text(
                    "UPDATE publications SET state = 'publishing', claimed_by = 'daemon-1', "
                    "claimed_revision = 1 WHERE post_id = 'launch-en' AND "
                    "account_label = 'x-main' AND state = 'pending'"
                )
            )
            assert claimed.rowcount == 1
            writer = threading.Thread(
                target=lambda: results.append(sync_posts(sessions, [edited], config, now=NOW))
            )
            writer.start()
            writer.join(timeout=0.5)
            assert writer.is_alive(), "sync must wait while the claim is open"
        writer.join(timeout=30)
    assert not writer.is_alive()

    (diff,) = results
    assert [(entry.account, "being published" in entry.detail or "edited after" in entry.detail)
            for entry in diff.conflicts] == [("x-main", True)]  # fmt: skip
    with sessions() as session:
        stored = session.get(Post, "launch-en")
        assert stored is not None
        assert stored.revision == 1  # what the daemon claimed is still what is stored


def test_two_syncs_at_once_both_succeed_and_queue_each_post_once(
    sessions: Sessions, config: CampaignConfig
) -> None:
    posts = [make_post(f"post-{index}-en", text=f"Post {index}") for index in range(30)]
    results: list[SyncDiff] = []
    errors: list[BaseException] = []

    def run() -> None:
        try:
            results.append(sync_posts(sessions, posts, config, now=NOW))
        except BaseException as error:  # reported below, not swallowed
            errors.append(error)

    writers = [threading.Thread(target=run) for _ in range(2)]
    for writer in writers:
        writer.start()
    for writer in writers:
        writer.join(timeout=60)
    assert errors == []
    assert sorted(len(diff.added) for diff in results) == [0, 60]
    with sessions() as session:
        assert session.scalar(text("SELECT count(*) FROM publications")) == 60
