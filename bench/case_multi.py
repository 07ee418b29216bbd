"""Case: several ``campaign run`` daemons on one PostgreSQL database, 2,000 posts
due at once, the sandbox answering each create after 50 ms.

For 1, 2 and 4 daemons in turn: a database of its own (created on the
server of ``--postgres-url`` and dropped afterwards), a fresh sandbox with a
``slow`` fault on every create (the platform's latency), the posts synced,
the daemons started, and the time from due to the last publication recorded.
Duplicates are counted from what the sandbox stored (one account, one text,
more than once). Accounts: 40, so none gets more than 50 creates in 15
minutes (X allows 100, platforms.md 1.2).
"""

from __future__ import annotations

import subprocess
import sys
import time
import uuid
from datetime import timedelta
from pathlib import Path

import psutil  # type: ignore[import-untyped]
from sqlalchemy.engine import make_url

from bench.campaign import queued_posts
from bench.live import LiveRun
from bench.report import Row, skipped, verdict
from bench.settings import Settings
from scheduler.clock import utc_now
from scheduler.sandbox.faults import Fault, FaultPlan

ACCOUNTS = 40
CORES = psutil.cpu_count() or 1
CREATE_DELAY_S = 0.05
LEAD_S = 10.0
SCALING_TARGET = 1.6


# A fixed amount of pure-Python work, about a second of one core.
_SPIN = "n = 0\nfor i in range(12_000_000):\n    n += i"


def parallel_capacity() -> float:
    """How much faster two CPU-bound Python processes get through twice the work
    than one gets through it once, on this machine now (2.0: two idle cores).

    The ceiling any number of daemons can reach here when each is CPU-bound; the
    sandbox and PostgreSQL share the same cores.
    """

    def spin(copies: int) -> float:
        started = time.perf_counter()
        workers = [subprocess.Popen([sys.executable, "-c", _SPIN]) for _ in range(copies)]
        for worker in workers:
            worker.wait()
        return time.perf_counter() - started

    one = spin(1)
    return 2 * one / spin(2)


def _postgres_cpu() -> float:
    """CPU seconds used so far by the PostgreSQL server's processes on this machine
    (0 when it runs elsewhere or they cannot be read)."""
    total = 0.0
    for process in psutil.process_iter(["name", "cpu_times"]):
        times = process.info.get("cpu_times")
        if process.info.get("name") in ("postgres", "postmaster") and times is not None:
            total += times.user + times.system
    return total


def _machine_busy_s() -> float:
    """CPU seconds every core of this machine has spent busy since boot (all
    processes and the kernel: everything but idle and I/O wait)."""
    times = psutil.cpu_times()
    return float(sum(times) - times.idle - getattr(times, "iowait", 0.0))


def _admin(url: str) -> str:
    """The psycopg (libpq) form of a SQLAlchemy URL."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def _create_database(server_url: str) -> tuple[str, str]:
    import psycopg

    name = f"campaign_bench_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(_admin(server_url), autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    url = make_url(server_url).set(drivername="postgresql+psycopg", database=name)
    return url.render_as_string(hide_password=False), name


def _drop_database(server_url: str, name: str) -> None:
    import psycopg

    with psycopg.connect(_admin(server_url), autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _one(settings: Settings, folder: Path, daemons: int, count: int) -> dict[str, float]:
    url, name = _create_database(settings.postgres_url)
    try:
        faults = FaultPlan()
        faults.add(Fault("x.create_post", "slow", times=10**9, delay_s=CREATE_DELAY_S))
        with LiveRun(
            folder, settings.seed, ACCOUNTS, url, faults=faults, profile_dir=settings.profile_dir
        ) as live:
            due = utc_now() + timedelta(seconds=LEAD_S)
            live.queue(
                queued_posts(
                    live.labels, [due] * count, seed=settings.seed, logo=False, tag=f"m{daemons}"
                )
            )
            started = [live.start_daemon(f"daemon-{index + 1}") for index in range(daemons)]
            ready = max(daemon.wait_ready() for daemon in started)
            early = (due - utc_now()).total_seconds()
            daemons_before = sum(daemon.cpu_seconds() for daemon in started)
            postgres_before, sandbox_before = _postgres_cpu(), live.sandbox_cpu_s
            time.sleep(max(0.0, early))  # the machine's share is measured from the due time
            machine_before, wall_before = _machine_busy_s(), time.perf_counter()
            settled = live.wait_settled(count, timeout_s=LEAD_S + 300)
            machine_cpu = _machine_busy_s() - machine_before
            wall = time.perf_counter() - wall_before
            daemons_cpu = sum(daemon.cpu_seconds() for daemon in started) - daemons_before
            postgres_cpu = _postgres_cpu() - postgres_before
            recorded = [ended for _, ended in live.published_at()]
            duplicates = live.duplicates()
            stored = len(live.received())
            sandbox_cpu = live.sandbox_cpu_s - sandbox_before
        elapsed = (max(recorded) - due).total_seconds() if recorded else float("inf")
        return {
            "daemons": daemons,
            "published": len(recorded),
            "stored": stored,
            "settled": float(settled),
            "elapsed_s": elapsed,
            "throughput": len(recorded) / elapsed,
            "duplicates": duplicates,
            "ready_s": ready,
            "early_s": early,
            "sandbox_cpu_s": sandbox_cpu,
            "daemons_cpu_s": daemons_cpu,
            "postgres_cpu_s": postgres_cpu,
            "machine_cpu_s": machine_cpu,
            "machine_busy": machine_cpu / (wall * CORES),
            "machine_cpu_per_post_ms": 1000 * machine_cpu / max(1, len(recorded)),
        }
    finally:
        _drop_database(settings.postgres_url, name)


def _unreachable(server_url: str) -> str | None:
    """None when the PostgreSQL server answers, else why not."""
    try:
        import psycopg
    except ImportError:
        return "psycopg is not installed (pip install -e '.[postgres]')"
    try:
        with psycopg.connect(_admin(server_url), connect_timeout=3):
            return None
    except psycopg.OperationalError as error:
        reason = " ".join(str(error).split())
        return f"PostgreSQL is unreachable ({reason}); give --postgres-url"


def run(settings: Settings, folder: Path) -> list[Row]:
    count = settings.size(full=2000, quick=200)
    why = _unreachable(settings.postgres_url)
    if why is not None:
        return [
            skipped(
                f"{n} daemon{'s' if n > 1 else ''} on PostgreSQL, {count:,} due at once", "-", why
            )
            for n in (1, 2, 4)
        ]
    capacity = parallel_capacity()
    results = [_one(settings, folder / f"daemons-{n}", n, count) for n in (1, 2, 4)]
    one = results[0]["throughput"]
    # What the whole machine can publish if every core worked at one daemon's cost
    # per post (daemon, sandbox, PostgreSQL and the kernel together): no number of
    # daemons goes beyond it on this machine.
    ceiling = 1000 * CORES / results[0]["machine_cpu_per_post_ms"]
    # The cores 2 daemons would keep busy at the target, each post costing what it
    # cost with one daemon: above CORES, the machine itself rules the target out.
    needed = SCALING_TARGET * one * results[0]["machine_cpu_per_post_ms"] / 1000
    rows: list[Row] = []
    for result in results:
        n = int(result["daemons"])
        ratio = result["throughput"] / one
        lost = count - int(result["published"])
        figure = f"{result['throughput']:.0f} posts/s, {int(result['duplicates'])} duplicates" + (
            f", {lost} not published" if lost else ""
        )
        note = (
            f"all {count:,} in {result['elapsed_s']:.1f} s; create answered after "
            f"{CREATE_DELAY_S * 1000:.0f} ms; CPU: daemons {result['daemons_cpu_s']:.1f} s, "
            f"PostgreSQL {result['postgres_cpu_s']:.1f} s, sandbox {result['sandbox_cpu_s']:.1f} s; "
            f"machine busy {result['machine_busy']:.0%} of {CORES} cores, "
            f"{result['machine_cpu_per_post_ms']:.1f} ms of machine CPU a post"
        )
        if n == 2:
            note += (
                f"; two CPU-bound processes ran {capacity:.2f}x as fast as one on this "
                f"machine just before; at one daemon's cost a post, all {CORES} cores "
                f"publish at most {ceiling:.0f} posts/s ({ceiling / one:.2f}x of one), "
                f"and {SCALING_TARGET}x of one would keep {needed:.2f} cores busy"
            )
        row = Row(
            case=f"{n} daemon{'s' if n > 1 else ''} on PostgreSQL, {count:,} due at once",
            figure=figure,
            target="0 duplicates" if n == 1 else f"0 duplicates, >= {SCALING_TARGET}x of one",
            note=note,
            values={
                **result,
                "parallel_capacity": capacity,
                "machine_ceiling": ceiling,
                "cores_for_target": needed,
            },
        )
        clean = result["duplicates"] == 0 and not lost
        if n == 1:
            row.verdict = verdict(clean)
        else:
            row.ratio = ratio
            row.verdict = verdict(clean and (n != 2 or ratio >= SCALING_TARGET))
            if n == 4:
                row.target = "0 duplicates"
                row.verdict = verdict(clean)
        rows.append(row)
    return rows
