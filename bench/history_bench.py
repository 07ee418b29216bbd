"""The first page of ``campaign history`` on a SQLite store with 1,000,000 attempts.

Issue 3's target: under 50 ms. The store is filled with plain Core inserts
(not timed), then each query runs on a fresh connection once ("cold") and 20
more times (best and median printed). Prints the figures and the query plan;
asserts nothing.

    .venv/bin/python bench/history_bench.py [--attempts 1000000] [--keep FILE]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import Engine, insert

from scheduler.storage import queries
from scheduler.storage.database import make_engine, make_session_factory, reading, upgrade_database
from scheduler.storage.models import Attempt, Base, PublicationState
from scheduler.storage.queries import QueueFilter

START = datetime(2020, 10, 24, 8, 0, tzinfo=UTC)
ACCOUNTS = (
    ("x-main", "x", "en"),
    ("x-fr", "x", "fr"),
    ("x-es", "x", "es"),
    ("facebook-main", "facebook", "en"),
)
OUTCOMES = ("published", "transient", "rate_limited", "transient", "unknown")
Row = dict[str, object]


def fill(engine: Engine, attempts: int, per_publication: int) -> None:
    """Posts, publications (four accounts) and ``attempts`` attempts, one a minute."""
    publications = max(1, attempts // per_publication)
    posts = Base.metadata.tables["posts"]
    table = Base.metadata.tables["publications"]
    post_rows: list[Row] = []
    publication_rows: list[Row] = []
    for index in range(publications):
        account, platform, language = ACCOUNTS[index % len(ACCOUNTS)]
        post_id = f"history-{index:06d}-{language}"
        due = START + timedelta(minutes=index)
        post_rows.append(
            {
                "id": post_id, "message_id": f"history-{index:06d}", "call": "join-the-treaty",
                "language": language, "status": "approved", "publish_at": due,
                "texts": {platform: f"post {index}"}, "media": [], "link": None,
                "targets": [account], "source_path": "posts/history.yaml", "source_line": index + 1,
                "content_hash": f"{index:064x}", "revision": 1, "created_at": START, "updated_at": START,
            }
        )  # fmt: skip
        state = PublicationState.FAILED if index % 50 == 0 else PublicationState.PUBLISHED
        publication_rows.append(
            {
                "id": index + 1, "post_id": post_id, "account_label": account, "platform": platform,
                "state": state, "scheduled_at": due, "next_attempt_at": due,
                "attempt_count": per_publication, "needs_reconcile": False,
                "platform_url": f"https://x.com/a/status/{index}", "created_at": START, "updated_at": START,
            }
        )  # fmt: skip
    with engine.begin() as connection:
        connection.execute(insert(posts), post_rows)
        connection.execute(insert(table), publication_rows)
    batch: list[Row] = []
    for number in range(attempts):
        started = START + timedelta(seconds=30 * number)
        batch.append(
            {
                "publication_id": 1 + (number * 7919) % publications, "worker_id": "bench",
                "started_at": started, "ended_at": started + timedelta(seconds=1),
                "outcome": OUTCOMES[number % len(OUTCOMES)], "http_status": 503,
                "platform_message": "over capacity",
            }
        )  # fmt: skip
        if len(batch) == 100_000 or number == attempts - 1:
            with engine.begin() as connection:
                connection.execute(insert(Attempt.__table__), batch)  # type: ignore[arg-type]
            batch = []


def measure(url: str, label: str, filters: QueueFilter, before: int | None = None) -> None:
    engine = make_engine(url)
    sessions = make_session_factory(engine)
    times: list[float] = []
    rows: list[queries.HistoryRow] = []
    for _ in range(21):
        started = time.perf_counter()
        with reading(sessions) as session:
            rows = queries.history(session, filters, before=before, limit=50)
        times.append(time.perf_counter() - started)
    engine.dispose()
    cold, warm = times[0], times[1:]
    print(
        f"{label:44} {len(rows):3d} rows  cold {cold * 1000:6.1f} ms  "
        f"best {min(warm) * 1000:6.1f} ms  median {statistics.median(warm) * 1000:6.1f} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--attempts", type=int, default=1_000_000)
    parser.add_argument("--per-publication", type=int, default=50)
    parser.add_argument("--keep", type=Path, help="Build (or reuse) the store in this file.")
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        path = options.keep or Path(folder) / "history.db"
        url = f"sqlite:///{path}"
        fresh = not path.exists()
        upgrade_database(url)
        if fresh:
            engine = make_engine(url)
            began = time.perf_counter()
            fill(engine, options.attempts, options.per_publication)
            engine.dispose()
            print(
                f"filled {options.attempts} attempts in {time.perf_counter() - began:.1f} s (not timed below)"
            )
        engine = make_engine(url)
        with reading(make_session_factory(engine)) as session:
            query = queries.history_query(QueueFilter(), (), None).limit(50)
            compiled = query.compile(engine, compile_kwargs={"literal_binds": True})
            plan = session.connection().exec_driver_sql(f"EXPLAIN QUERY PLAN {compiled}").all()
            middle = (
                session.connection().exec_driver_sql("SELECT max(id) / 2 FROM attempts").scalar()
            )
        engine.dispose()
        print("plan of the first page: " + " | ".join(str(row[-1]) for row in plan))
        print(f"attempts: {options.attempts} (target: first page under 50 ms)")
        measure(url, "first page, no filter", QueueFilter())
        measure(url, "a page in the middle (--before)", QueueFilter(), before=int(middle or 0))
        measure(url, "first page, --platform facebook", QueueFilter(platforms=("facebook",)))
        measure(url, "first page, --language fr", QueueFilter(languages=("fr",)))
        measure(
            url,
            "first page, --state failed (2% of rows)",
            QueueFilter(states=(PublicationState.FAILED,)),
        )
        measure(
            url,
            "first page, --state published (98% of rows)",
            QueueFilter(states=(PublicationState.PUBLISHED,)),
        )
        measure(url, "first page, --account x-main (a quarter)", QueueFilter(accounts=("x-main",)))
        measure(url, "first page, --call save-lives (no post)", QueueFilter(calls=("save-lives",)))
        since = START + timedelta(days=30)
        measure(url, "first page, --until a month in", QueueFilter(until=since))


if __name__ == "__main__":
    main()
