"""Cases: how late posts go out. 1,000 posts due evenly over one minute, and 100
posts due at the same instant.

Lateness is measured where it matters: the wall time the sandbox received
the create request minus the post's scheduled time. Posts carry no image, so
the figure is the scheduling and claim path, not an upload. Accounts: 20, so
no account gets more than 50 creates in 15 minutes (X allows 100,
platforms.md 1.2). The floor (:mod:`bench.scheduler_floor`) is APScheduler
firing an empty job at the same offsets.
"""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

from bench.campaign import evenly, queued_posts
from bench.live import LiveRun
from bench.processes import run_helper
from bench.report import Row, percentile, seconds, verdict
from bench.settings import Settings
from scheduler.clock import utc_now

ACCOUNTS = 20
LEAD_S = 8.0
FLOOR_LEAD_S = 3.0


def _floor(folder: Path, offsets: list[float]) -> list[float]:
    path = folder / "floor-offsets.json"
    path.write_text(json.dumps(offsets), encoding="utf-8")
    return [
        float(value)
        for value in json.loads(run_helper("bench.scheduler_floor", str(FLOOR_LEAD_S), str(path)))
    ]


def _measure(
    settings: Settings, folder: Path, count: int, span_s: float, target_p99_s: float, name: str
) -> Row:
    folder.mkdir(parents=True, exist_ok=True)
    offsets = [span_s * index / count for index in range(count)]
    floor = _floor(folder, offsets)
    with LiveRun(
        folder,
        settings.seed,
        ACCOUNTS,
        f"sqlite:///{folder / 'bench.db'}",
        profile_dir=settings.profile_dir,
    ) as live:
        first = utc_now() + timedelta(seconds=LEAD_S)
        due = evenly(first, count, span_s)
        posts = queued_posts(live.labels, due, seed=settings.seed, logo=False, tag=name)
        scheduled = {post.texts["x"]: post.publish_at.timestamp() for post in posts}
        live.queue(posts)
        daemon = live.start_daemon()
        ready_s = daemon.wait_ready()
        early = (first - utc_now()).total_seconds()
        settled = live.wait_settled(count, timeout_s=LEAD_S + span_s + 120)
        received = live.received()
        sandbox_cpu = live.sandbox_cpu_s
        daemon.stop()
    lateness = [post.received_wall - scheduled[post.text] for post in received]
    case = (
        f"lateness, {count:,} posts due over {span_s:.0f} s"
        if span_s
        else f"lateness, {count:,} posts due at once"
    )
    target = f"p99 <= {seconds(target_p99_s)}"
    if not lateness:
        return Row(case=case, figure="nothing published", target=target, verdict="miss")
    p50, p99, worst = percentile(lateness, 0.5), percentile(lateness, 0.99), max(lateness)
    floor_p50, floor_p99 = percentile(floor, 0.5), percentile(floor, 0.99)
    missing = count - len(lateness)
    note = (
        f"{ACCOUNTS} accounts, no image; worst {seconds(worst)}; earliest "
        f"{seconds(min(lateness))}; daemon ready in {ready_s:.1f} s, {early:.1f} s ahead; "
        f"sandbox CPU {sandbox_cpu:.1f} s"
    )
    if missing or not settled:
        note += f"; {missing} post(s) never reached the sandbox"
    return Row(
        case=case,
        figure=f"p50 {seconds(p50)}, p99 {seconds(p99)}",
        floor=f"p50 {seconds(floor_p50)}, p99 {seconds(floor_p99)}",
        ratio=p99 / floor_p99 if floor_p99 > 0 else None,
        target=target,
        verdict=verdict(p99 <= target_p99_s and not missing),
        note=note,
        values={
            "posts": count,
            "span_s": span_s,
            "spread": bool(span_s),
            "p50_s": p50,
            "p99_s": p99,
            "max_s": worst,
            "min_s": min(lateness),
            "floor_p50_s": floor_p50,
            "floor_p99_s": floor_p99,
            "missing": missing,
            "ready_s": ready_s,
            "sandbox_cpu_s": sandbox_cpu,
        },
    )


def run(settings: Settings, folder: Path) -> list[Row]:
    spread = _measure(
        settings,
        folder / "spread",
        settings.size(full=1000, quick=100),
        settings.seconds(full=60.0, quick=6.0),
        0.1,
        "s",
    )
    burst = _measure(settings, folder / "burst", settings.size(full=100, quick=20), 0.0, 1.0, "b")
    return [spread, burst]
