"""Cases: ``campaign run`` starting on a queue of 10k, 100k and 1M publications,
and the same daemon idle for a minute with 100k queued.

The queue is generated straight into SQLite with Core bulk inserts (not
timed): posts for two accounts each, due evenly over the 30 days starting an
hour from now, so nothing is due while the daemon is measured and its window
(24 hours, at most 1,000 jobs) is as full as the queue allows. Time to ready:
from spawning ``campaign run`` to its "started" log line, Python's own
start-up included. Peak RSS: the kernel's high-water mark once ready. Idle
CPU: user plus system seconds over the next ``idle_s`` wall seconds.
"""

from __future__ import annotations

import time
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, insert

from bench.live import LiveRun
from bench.report import Row, seconds, verdict
from bench.settings import Settings
from scheduler.clock import utc_now
from scheduler.storage.models import Base, PublicationState

ACCOUNTS = 20
SPAN = timedelta(days=30)
BATCH = 50_000
READY_TARGET_S = 2.0
RSS_TARGET_MB = 150.0
IDLE_TARGET_S = 0.5


def fill_queue(engine: Engine, publications: int, labels: list[str], first: datetime) -> None:
    """``publications`` pending publications (two per post), due evenly from ``first`` over SPAN."""
    posts_table = Base.metadata.tables["posts"]
    publications_table = Base.metadata.tables["publications"]
    count = max(1, publications // 2)
    step = SPAN / count
    now = utc_now()
    for begin in range(0, count, BATCH):
        post_rows: list[dict[str, Any]] = []
        publication_rows: list[dict[str, Any]] = []
        for index in range(begin, min(begin + BATCH, count)):
            post_id = f"queued-{index:07d}-en"
            due = first + step * index
            pair = (labels[index % len(labels)], labels[(index + 1) % len(labels)])
            post_rows.append(
                {
                    "id": post_id, "message_id": f"queued-{index:07d}", "call": "join-the-treaty",
                    "language": "en", "status": "approved", "publish_at": due,
                    "texts": {"x": f"Queued post {index}: join the Treaty #StopClusterBombsNow"},
                    "media": ["logos/en/join-the-treaty.png"], "link": None, "targets": list(pair),
                    "source_path": f"posts/queued-{index // 100:05d}.yaml",
                    "source_line": 1 + index % 100, "content_hash": f"{index:064x}",
                    "revision": 1, "removed_at": None, "created_at": now, "updated_at": now,
                }
            )  # fmt: skip
            for label in pair:
                publication_rows.append(
                    {
                        "post_id": post_id, "account_label": label, "platform": "x",
                        "state": PublicationState.PENDING.value, "scheduled_at": due,
                        "next_attempt_at": due, "attempt_count": 0, "needs_reconcile": False,
                        "created_at": now, "updated_at": now,
                    }
                )  # fmt: skip
        with engine.begin() as connection:
            connection.execute(insert(posts_table), post_rows)
            connection.execute(insert(publications_table), publication_rows)


def _start(settings: Settings, folder: Path, size: int, idle_s: float) -> Row:
    folder.mkdir(parents=True, exist_ok=True)
    with LiveRun(
        folder,
        settings.seed,
        ACCOUNTS,
        f"sqlite:///{folder / 'bench.db'}",
        profile_dir=settings.profile_dir,
    ) as live:
        began = time.perf_counter()
        fill_queue(live.engine, size, live.labels, utc_now() + timedelta(hours=1))
        fill_s = time.perf_counter() - began
        daemon = live.start_daemon(profile_start_up=True)
        ready_s = daemon.wait_ready(timeout_s=120)
        rss = daemon.peak_rss_mb()
        idle_cpu: float | None = None
        if idle_s:
            before = daemon.cpu_seconds()
            time.sleep(idle_s)
            idle_cpu = daemon.cpu_seconds() - before
        daemon.stop()
    rss_text = f"{rss:.0f} MB" if rss is not None else "unknown"
    values: dict[str, Any] = {
        "publications": size,
        "ready_s": ready_s,
        "peak_rss_mb": rss,
        "fill_s": fill_s,
    }
    if idle_cpu is not None:
        values |= {"idle_s": idle_s, "idle_cpu_s": idle_cpu}
    return Row(
        case=f"daemon start, {size:,} queued",
        figure=f"ready {seconds(ready_s)}, RSS {rss_text}",
        values=values,
        note=f"queue generated in {fill_s:.0f} s (not timed)",
    )


def run(settings: Settings, folder: Path) -> list[Row]:
    sizes = (1_000, 10_000, 30_000) if settings.quick else (10_000, 100_000, 1_000_000)
    idle_s = settings.seconds(full=60.0, quick=10.0)
    rows = [
        _start(settings, folder / f"start-{size}", size, idle_s if size == sizes[1] else 0.0)
        for size in sizes
    ]
    largest = rows[-1]
    ready, rss = largest.values["ready_s"], largest.values["peak_rss_mb"]
    largest.target = f"ready <= {READY_TARGET_S:.0f} s, RSS <= {RSS_TARGET_MB:.0f} MB"
    largest.verdict = verdict(ready <= READY_TARGET_S and rss is not None and rss <= RSS_TARGET_MB)
    growth = rows[-1].values["ready_s"] - rows[0].values["ready_s"]
    largest.note += (
        f"; from {sizes[0]:,} to {sizes[-1]:,} queued: ready {growth * 1000:+.0f} ms"
        + (
            f", RSS {rss - rows[0].values['peak_rss_mb']:+.0f} MB"
            if rss is not None and rows[0].values["peak_rss_mb"] is not None
            else ""
        )
    )
    middle = rows[1].values
    idle = Row(
        case=f"daemon idle {idle_s:.0f} s, {sizes[1]:,} queued",
        figure=f"{middle['idle_cpu_s']:.2f} s CPU",
        target=f"<= {IDLE_TARGET_S} s CPU",
        verdict=verdict(middle["idle_cpu_s"] <= IDLE_TARGET_S),
        note="user + system CPU of the daemon process from ready to the end of the idle time",
        values={"publications": sizes[1], "idle_s": idle_s, "idle_cpu_s": middle["idle_cpu_s"]},
    )
    return [*rows, idle]
