"""Sync of 10,000 posts into SQLite versus a bare SQLAlchemy Core bulk insert.

Issue 3's target: the database phase of ``campaign sync`` (reading the queue,
planning, writing; the YAML check is not timed) within 2x a Core bulk insert
of the same rows into the same schema. Prints the figures; asserts nothing.

    .venv/bin/python bench/sync_bench.py [--posts 10000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import Connection

from scheduler.config import CampaignConfig, load_config
from scheduler.content.resolved import ResolvedPost
from scheduler.storage.database import make_engine, make_session_factory, upgrade_database
from scheduler.storage.models import Base, PublicationState
from scheduler.storage.sync import sync_posts

ROOT = Path(__file__).resolve().parent.parent
START = datetime(2020, 10, 24, 8, 0, tzinfo=UTC)
NOW = datetime(2020, 10, 1, tzinfo=UTC)
TARGETS = ("x-main", "facebook-main")
Row = dict[str, object]


def make_posts(count: int) -> list[ResolvedPost]:
    """``count`` distinct English posts, five minutes apart, each for two accounts."""
    return [
        ResolvedPost(
            id=f"bench-{index:05d}-en",
            message_id=f"bench-{index:05d}",
            call="join-the-treaty",
            language="en",
            status="approved",
            publish_at=START + timedelta(minutes=5 * index),
            texts={
                "x": f"Post {index}: join the Treaty #StopClusterBombsNow",
                "facebook": f"Post {index}: join the Convention on Cluster Munitions. #StopClusterBombsNow",
            },
            media=("logos/en/join-the-treaty.png",),
            link=None,
            targets=TARGETS,
            source_path=f"posts/bench-{index // 100:03d}.yaml",
            source_line=1 + 6 * (index % 100),
        )
        for index in range(count)
    ]


def rows_for(posts: list[ResolvedPost], config: CampaignConfig) -> tuple[list[Row], list[Row]]:
    """The same rows sync writes, built ahead of time for the baseline."""
    platforms = {account.label: account.platform for account in config.accounts}
    post_rows: list[Row] = []
    publication_rows: list[Row] = []
    for post in posts:
        post_rows.append(
            {
                "id": post.id, "message_id": post.message_id, "call": post.call,
                "language": post.language, "status": post.status, "publish_at": post.publish_at,
                "texts": post.texts, "media": list(post.media), "link": post.link,
                "targets": list(post.targets), "source_path": post.source_path,
                "source_line": post.source_line, "content_hash": post.content_hash,
                "revision": 1, "removed_at": None, "created_at": NOW, "updated_at": NOW,
            }
        )  # fmt: skip
        for account in post.targets:
            publication_rows.append(
                {
                    "post_id": post.id, "account_label": account, "platform": platforms[account],
                    "state": PublicationState.PENDING.value, "scheduled_at": post.publish_at,
                    "next_attempt_at": post.publish_at, "attempt_count": 0,
                    "needs_reconcile": False, "created_at": NOW, "updated_at": NOW,
                }
            )  # fmt: skip
    return post_rows, publication_rows


def fresh_database(folder: Path, name: str) -> str:
    url = f"sqlite:///{folder / name}"
    upgrade_database(url)
    return url


def timed(action: Callable[..., object], *args: object, **kwargs: object) -> float:
    started = time.perf_counter()
    action(*args, **kwargs)
    return time.perf_counter() - started


def bulk_insert(connection: Connection, post_rows: list[Row], publication_rows: list[Row]) -> None:
    """The baseline: two executemany INSERTs in one transaction, nothing else."""
    with connection.begin():
        connection.execute(Base.metadata.tables["posts"].insert(), post_rows)
        connection.execute(Base.metadata.tables["publications"].insert(), publication_rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3)
    options = parser.parse_args()
    config = load_config(ROOT / "config.yaml")
    posts = make_posts(options.posts)
    post_rows, publication_rows = rows_for(posts, config)
    sync_times: list[float] = []
    again_times: list[float] = []
    bulk_times: list[float] = []
    with tempfile.TemporaryDirectory() as folder:
        for run in range(options.repeat):
            engine = make_engine(fresh_database(Path(folder), f"sync-{run}.db"))
            sessions = make_session_factory(engine)
            sync_times.append(timed(sync_posts, sessions, posts, config, now=NOW))
            again_times.append(timed(sync_posts, sessions, posts, config, now=NOW))
            engine.dispose()

            engine = make_engine(fresh_database(Path(folder), f"bulk-{run}.db"))
            with engine.begin() as connection:
                # Warm the connection the way sync's session does, outside the timing.
                connection.exec_driver_sql("SELECT 1")
            with engine.connect() as connection:
                bulk_times.append(timed(bulk_insert, connection, post_rows, publication_rows))
            engine.dispose()

    print(f"posts: {options.posts}, publications: {len(publication_rows)}, runs: {options.repeat}")
    print(f"{'':44}    best   median")
    for label, times in (
        ("campaign sync, database phase, empty SQLite", sync_times),
        ("bare Core bulk insert of the same rows", bulk_times),
        ("second sync, nothing to change", again_times),
    ):
        best, median = min(times) * 1000, statistics.median(times) * 1000
        print(f"{label:44} {best:5.0f} ms {median:5.0f} ms")
    best_ratio = min(sync_times) / min(bulk_times)
    median_ratio = statistics.median(sync_times) / statistics.median(bulk_times)
    print(f"{'ratio sync / bulk insert (target <= 2x)':44} {best_ratio:6.2f}x {median_ratio:6.2f}x")


if __name__ == "__main__":
    main()
