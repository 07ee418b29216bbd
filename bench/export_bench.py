"""The dashboard's CSV export of a long history: time, size and the server's memory.

The export streams, so the process's peak memory should stay flat whatever the
number of rows. Fills SQLite stores of growing size with plain Core inserts
(``history_bench.fill``, not timed), then sends ``GET /history.csv`` straight
to the ASGI application (no test client buffering the body) and throws the
body away as it arrives, sampling the resident memory every 10 ms. Prints the
figures; asserts nothing.

    .venv/bin/python -m bench.export_bench [--attempts 100000 400000]
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import threading
import time
from pathlib import Path

import psutil
from starlette.applications import Starlette

from bench.history_bench import fill
from scheduler.clock import SystemClock
from scheduler.config import load_config
from scheduler.storage.database import make_engine, open_database, upgrade_database
from scheduler.web import create_app, web_access

ROOT = Path(__file__).resolve().parent.parent


def export(app: Starlette) -> tuple[int, float]:
    """Bytes of ``/history.csv`` and the seconds it took."""
    received = 0
    scope = {
        "type": "http", "asgi": {"version": "3.0", "spec_version": "2.4"}, "http_version": "1.1",
        "method": "GET", "scheme": "http", "path": "/history.csv", "raw_path": b"/history.csv",
        "query_string": b"", "root_path": "", "headers": [(b"host", b"127.0.0.1")],
        "client": ("127.0.0.1", 50000), "server": ("127.0.0.1", 8000),
    }  # fmt: skip

    async def receive() -> dict[str, object]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, object]) -> None:
        nonlocal received
        body = message.get("body", b"")
        received += len(body) if isinstance(body, bytes) else 0

    started = time.perf_counter()
    asyncio.run(app(scope, receive, send))  # type: ignore[arg-type]
    return received, time.perf_counter() - started


def _export_into(app: Starlette, result: list[tuple[int, float]]) -> None:
    result.append(export(app))


def peak_rss_during(work: threading.Thread) -> int:
    """The largest resident set size (bytes) seen while ``work`` runs."""
    process = psutil.Process()
    peak = process.memory_info().rss
    work.start()
    while work.is_alive():
        peak = max(peak, process.memory_info().rss)
        time.sleep(0.01)
    work.join()
    return peak


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--attempts", type=int, nargs="+", default=[100_000, 400_000])
    options = parser.parse_args()
    config = load_config(ROOT / "config.yaml")
    print("attempts    CSV bytes  seconds  RSS before  peak RSS  growth")
    for attempts in options.attempts:
        with tempfile.TemporaryDirectory() as folder:
            url = f"sqlite:///{Path(folder) / 'history.db'}"
            upgrade_database(url)
            filling = make_engine(url)
            fill(filling, attempts, 50)
            filling.dispose()
            engine, sessions = open_database(url)
            app = create_app(config, sessions, SystemClock(), web_access("127.0.0.1", None, config))
            result: list[tuple[int, float]] = []
            before = psutil.Process().memory_info().rss
            work = threading.Thread(target=_export_into, args=(app, result))
            peak = peak_rss_during(work)
            engine.dispose()
            size, seconds = result[0]
            print(
                f"{attempts:8d}  {size:11,d}  {seconds:7.1f}  {before / 2**20:7.0f} MB"
                f"  {peak / 2**20:5.0f} MB  {(peak - before) / 2**20:+5.0f} MB"
            )


if __name__ == "__main__":
    main()
