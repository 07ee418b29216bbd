"""Cases of the store: sync of 10,000 posts, and the first page of a 1,000,000-attempt history.

Both wrap the store engineer's own benchmarks (:mod:`bench.sync_bench`,
:mod:`bench.history_bench`, still runnable alone) and measure the same
things: the database phase of ``campaign sync`` into an empty SQLite file
against a bare Core bulk insert of the same rows, and ``campaign history``'s
first page (no filter) on a fresh connection, then warm.
"""

from __future__ import annotations

import statistics
import time
from pathlib import Path

from bench import history_bench, sync_bench
from bench.report import Row, seconds, verdict
from bench.settings import ROOT, Settings
from scheduler.config import load_config
from scheduler.storage import queries
from scheduler.storage.database import (
    make_engine,
    make_session_factory,
    reading,
    upgrade_database,
)
from scheduler.storage.queries import QueueFilter
from scheduler.storage.sync import sync_posts

SYNC_TARGET = 2.0
HISTORY_TARGET_S = 0.050


def run_sync(settings: Settings, folder: Path) -> list[Row]:
    count = settings.size(full=10_000, quick=1_000)
    config = load_config(ROOT / "config.yaml")
    posts = sync_bench.make_posts(count)
    post_rows, publication_rows = sync_bench.rows_for(posts, config)
    ours: list[float] = []
    floors: list[float] = []
    for run in range(settings.repeat):
        engine = make_engine(sync_bench.fresh_database(folder, f"sync-{run}.db"))
        sessions = make_session_factory(engine)
        ours.append(sync_bench.timed(sync_posts, sessions, posts, config, now=sync_bench.NOW))
        engine.dispose()
        engine = make_engine(sync_bench.fresh_database(folder, f"bulk-{run}.db"))
        with engine.begin() as connection:
            connection.exec_driver_sql("SELECT 1")  # warm, as sync's session is
        with engine.connect() as connection:
            floors.append(
                sync_bench.timed(sync_bench.bulk_insert, connection, post_rows, publication_rows)
            )
        engine.dispose()
    ratio = min(ours) / min(floors)
    return [
        Row(
            case=f"sync {count:,} posts into SQLite",
            figure=seconds(min(ours)),
            floor=seconds(min(floors)),
            ratio=ratio,
            target=f"<= {SYNC_TARGET:.0f}x",
            verdict=verdict(ratio <= SYNC_TARGET),
            note=(
                f"{len(publication_rows):,} publications; best of {settings.repeat}; "
                f"medians {seconds(statistics.median(ours))} / {seconds(statistics.median(floors))}"
            ),
            values={"posts": count, "ours_s": ours, "floor_s": floors},
        )
    ]


def run_history(settings: Settings, folder: Path) -> list[Row]:
    attempts = settings.size(full=1_000_000, quick=50_000)
    url = f"sqlite:///{folder / 'history.db'}"
    upgrade_database(url)
    engine = make_engine(url)
    began = time.perf_counter()
    history_bench.fill(engine, attempts, per_publication=50)
    fill_s = time.perf_counter() - began
    engine.dispose()
    engine = make_engine(url)  # a fresh connection: the first query is cold
    sessions = make_session_factory(engine)
    times: list[float] = []
    for _ in range(21):
        started = time.perf_counter()
        with reading(sessions) as session:
            rows = queries.history(session, QueueFilter(), before=None, limit=50)
        times.append(time.perf_counter() - started)
    engine.dispose()
    cold, warm = times[0], statistics.median(times[1:])
    return [
        Row(
            case=f"history first page, {attempts:,} attempts",
            figure=f"{seconds(warm)} (cold {seconds(cold)})",
            target=f"<= {HISTORY_TARGET_S * 1000:.0f} ms",
            verdict=verdict(max(warm, cold) <= HISTORY_TARGET_S),
            note=(
                f"{len(rows)} rows; median of 20 warm runs, and the first on a fresh connection; "
                f"store filled with Core inserts in {fill_s:.0f} s (not timed)"
            ),
            values={"attempts": attempts, "cold_s": cold, "warm_median_s": warm, "fill_s": fill_s},
        )
    ]
