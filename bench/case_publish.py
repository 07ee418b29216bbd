"""Case: 500 posts with a logo, all due at once, published by ``campaign run``,
for each platform with a floor.

Our figure: from the moment they are due to the moment the last one is
recorded as published in the database (SQLite as shipped: WAL, synchronous
NORMAL, so a claim survives SIGKILL). The floor: a bare loop with the
platform's client library making the same calls (image upload, create) one
after the other against a fresh sandbox (:mod:`bench.publish_floor`, tweepy;
:mod:`bench.publish_floor_bluesky`, atproto; :mod:`bench.publish_floor_mastodon`,
Mastodon.py). Accounts: one per 50 posts
on X, so none goes over its 100 creates per 15 minutes; one per 25 on
Mastodon, within its 30 media uploads per 30 minutes [platforms-2026.md 6.4].
"""

from __future__ import annotations

import json
import math
from datetime import timedelta
from pathlib import Path

from bench.campaign import queued_posts
from bench.live import LiveRun
from bench.processes import run_helper
from bench.report import Row, seconds, verdict
from bench.settings import Settings
from scheduler.clock import utc_now
from scheduler.sandbox.credentials import sandbox_credentials

TARGET_RATIO = 1.5
POSTS_PER_ACCOUNT = 50
LEAD_S = 8.0
# platform -> (its floor's module, posts per account, its name in the row)
PLATFORMS = {
    "x": ("bench.publish_floor", POSTS_PER_ACCOUNT, ""),
    "bluesky": ("bench.publish_floor_bluesky", POSTS_PER_ACCOUNT, " to Bluesky"),
    "mastodon": ("bench.publish_floor_mastodon", 25, " to Mastodon"),
}


def _floor(
    settings: Settings, folder: Path, count: int, accounts: int, platform: str = "x"
) -> tuple[float, float, float]:
    """(wall seconds, the loop's CPU seconds, the sandbox's CPU seconds)."""
    database = f"sqlite:///{folder / 'floor.db'}"
    with LiveRun(folder, settings.seed, accounts, database, platform=platform) as live:
        posts = queued_posts(
            live.labels,
            [utc_now()] * count,
            seed=settings.seed,
            logo=True,
            tag="f",
            platform=platform,
        )
        spec = {
            "url": live.sandbox.url,
            "credentials": {label: sandbox_credentials(platform, label) for label in live.labels},
            "posts": [
                {
                    "account": post.targets[0],
                    "text": post.texts[platform],
                    "media": str(folder / "media" / post.media[0]),
                }
                for post in posts
            ],
        }
        path = folder / "floor-spec.json"
        path.write_text(json.dumps(spec), encoding="utf-8")
        sandbox_before = live.sandbox_cpu_s
        result = json.loads(run_helper(PLATFORMS[platform][0], str(path)))
        sandbox_cpu = live.sandbox_cpu_s - sandbox_before
        stored = live.sandbox[platform].count()
        if stored != count:
            raise RuntimeError(f"the floor loop stored {stored} of {count} posts")
        return float(result["elapsed_s"]), float(result["cpu_s"]), sandbox_cpu


def run(settings: Settings, folder: Path) -> list[Row]:
    """The case for every platform of :data:`PLATFORMS`, X first."""
    rows: list[Row] = []
    for platform in PLATFORMS:
        rows += run_for(settings, folder if platform == "x" else folder / platform, platform)
    return rows


def run_for(settings: Settings, folder: Path, platform: str) -> list[Row]:
    """The case for one platform."""
    _, per_account, named = PLATFORMS[platform]
    count = settings.size(full=500, quick=60)
    accounts = math.ceil(count / per_account)
    floor, floor_cpu, floor_sandbox_cpu = _floor(
        settings, folder / "floor", count, accounts, platform
    )
    ours_folder = folder / "ours"
    with LiveRun(
        ours_folder,
        settings.seed,
        accounts,
        f"sqlite:///{ours_folder / 'bench.db'}",
        profile_dir=settings.profile_dir,
        platform=platform,
    ) as live:
        due = utc_now() + timedelta(seconds=LEAD_S)
        posts = queued_posts(
            live.labels, [due] * count, seed=settings.seed, logo=True, tag="o", platform=platform
        )
        live.queue(posts)
        daemon = live.start_daemon()
        ready_s = daemon.wait_ready()
        early = (due - utc_now()).total_seconds()
        cpu_before, sandbox_before = daemon.cpu_seconds(), live.sandbox_cpu_s
        settled = live.wait_settled(count, timeout_s=LEAD_S + 120)
        daemon_cpu = daemon.cpu_seconds() - cpu_before
        recorded = [ended for _, ended in live.published_at()]
        sandbox_cpu = live.sandbox_cpu_s - sandbox_before
        duplicates = live.duplicates()
        daemon.stop()
    if not settled or len(recorded) != count:
        return [
            Row(
                case=f"publish {count} posts with a logo{named}",
                figure=f"{len(recorded)} of {count} published",
                target=f"<= {TARGET_RATIO}x",
                verdict="miss",
                note=f"not every post was published in time; see {ours_folder.name}/daemon.log",
            )
        ]
    elapsed = (max(recorded) - due).total_seconds()
    ratio = elapsed / floor
    return [
        Row(
            case=f"publish {count} posts with a logo{named}",
            figure=seconds(elapsed),
            floor=seconds(floor),
            ratio=ratio,
            target=f"<= {TARGET_RATIO}x",
            verdict=verdict(ratio <= TARGET_RATIO and duplicates == 0),
            note=(
                f"{accounts} accounts, all due at once; daemon ready in {ready_s:.1f} s, "
                f"{early:.1f} s before they were due; {count / elapsed:.0f} posts/s vs "
                f"{count / floor:.0f} for the bare loop; CPU: daemon {daemon_cpu:.1f} s, "
                f"loop {floor_cpu:.1f} s, sandbox {sandbox_cpu:.1f} s (loop's run "
                f"{floor_sandbox_cpu:.1f} s); duplicates {duplicates}"
            ),
            values={
                "posts": count,
                "accounts": accounts,
                "ours_s": elapsed,
                "floor_s": floor,
                "ready_s": ready_s,
                "sandbox_cpu_s": sandbox_cpu,
                "daemon_cpu_s": daemon_cpu,
                "floor_cpu_s": floor_cpu,
                "floor_sandbox_cpu_s": floor_sandbox_cpu,
                "duplicates": duplicates,
            },
        )
    ]
