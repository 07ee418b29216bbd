"""The SIGKILL soak: a rehearsal of the real campaign while its daemon is killed
at random moments, at least 100 times. Zero duplicates, zero losses.

Run it (about five minutes; not part of the test suite)::

    .venv/bin/python -m bench.soak                 # 100 kills, SQLite
    .venv/bin/python -m bench.soak --kills 200 --seed 7 --database-url postgresql://...

The real ``config.yaml``, ``posts/`` and ``media/`` are copied to a temporary
folder and pointed at the sandbox, which serves from this process. Campaign
time is compressed (``--duration`` wall seconds for the whole campaign, by
default three per kill) by one
:class:`~scheduler.clock.ScaledClock` that this process and every ``campaign
run`` process share through ``CAMPAIGN_SCALED_CLOCK``. Each daemon lives for a
random 0.1 to 3 wall seconds and is killed with SIGKILL, whatever it is doing;
the next one starts at once. A last daemon runs until every publication has
settled and is stopped with SIGTERM.

Counted at the end:

- **duplicates**: posts the sandbox stored beyond the first with the same
  account and text;
- **losses**: publications that did not end published, or needs review with
  nothing on the platform (the create call never left);
- **unreconciled**: needs review although the post is on the platform.

The late grace is widened to a minute of wall time (at least three campaign
days) so that the downtime of killed daemons (a few wall seconds, hours of
campaign time) never turns a post into a missed one: what is measured is crash
safety, not punctuality.
Exit status 0 when all three are zero.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import func, select

from scheduler.clock import ScaledClock
from scheduler.config import load_config
from scheduler.daemon.service import SCALED_CLOCK_VARIABLE
from scheduler.sandbox.app import build_sandbox
from scheduler.sandbox.credentials import sandbox_environment
from scheduler.storage.database import make_engine, make_session_factory, upgrade_database
from scheduler.storage.models import Publication
from scheduler.storage.service import check_and_sync

ROOT = Path(__file__).resolve().parent.parent
SETTLED = {"published", "failed", "missed", "needs_review", "cancelled"}


def write_config(folder: Path, sandbox_url: str, grace_min: float = 3 * 24 * 60) -> Path:
    """The real config.yaml, pointed at the sandbox, with the soak's publishing
    settings, written to ``folder``; returns its path."""
    data: dict[str, Any] = yaml.safe_load((ROOT / "config.yaml").read_text(encoding="utf-8"))
    for platform in ("x", "facebook"):
        data.setdefault("platforms", {}).setdefault(platform, {}).update(
            api_base_url=sandbox_url, request_timeout_s=5
        )
    data["publishing"] = {
        **data.get("publishing", {}),
        "late_grace_min": grace_min,
        "max_attempts": 1000,
        "lease_s": 30,
        "refresh_s": 0.2,
        "catch_up_spacing_s": 60,
    }
    path = folder / "config.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--kills", type=int, default=100, help="SIGKILLs to deliver (default 100)")
    parser.add_argument(
        "--duration",
        type=float,
        default=None,
        help="wall seconds for the whole campaign (default: 3 per kill, at least 30)",
    )
    parser.add_argument("--seed", type=int, default=1, help="random seed of the kill moments")
    parser.add_argument("--database-url", default=None, help="default: SQLite in the temp folder")
    parser.add_argument("--json", type=Path, default=None, help="also write the result here")
    options = parser.parse_args(argv)
    duration = options.duration or max(30.0, 3.0 * options.kills)
    rng = random.Random(options.seed)
    folder = Path(tempfile.mkdtemp(prefix="campaign-soak-"))
    url = options.database_url or f"sqlite:///{folder / 'soak.db'}"
    upgrade_database(url)
    engine = make_engine(url)
    sessions = make_session_factory(engine)

    shutil.copytree(ROOT / "posts", folder / "posts")
    shutil.copytree(ROOT / "media", folder / "media")
    config = load_config(write_config(folder, "http://127.0.0.1:9"))  # no call before the sandbox
    outcome = check_and_sync(config, sessions, now=config.campaign.window_start - timedelta(days=1))
    if outcome.diff is None:
        print("posts/ does not pass `campaign check`", file=sys.stderr)
        return 2
    with sessions() as session:
        first, last = session.execute(
            select(func.min(Publication.scheduled_at), func.max(Publication.scheduled_at))
        ).one()
    speed = max(1.0, (last - first).total_seconds() / duration)
    clock = ScaledClock(first - timedelta(seconds=2 * speed), speed)
    sandbox = build_sandbox(config, clock).start()
    # A minute of wall time, at least three campaign days: downtime never misses a post.
    write_config(folder, sandbox.url, grace_min=max(3 * 24 * 60, speed))
    environment = {
        **os.environ,
        **sandbox_environment(config),
        "CAMPAIGN_CONFIG": str(folder / "config.yaml"),
        "CAMPAIGN_DATABASE_URL": url,
        SCALED_CLOCK_VARIABLE: (
            f"{clock.campaign_start.isoformat()},{clock.wall_start.isoformat()},{speed}"
        ),
        "PYTHONPATH": str(ROOT),
    }
    log = (folder / "daemons.log").open("ab")
    print(f"soak in {folder}: {options.kills} kills, campaign at {speed:,.0f}x")
    started = time.monotonic()
    daemons: list[subprocess.Popen[bytes]] = []
    try:
        for kill in range(options.kills):
            process = subprocess.Popen(
                [sys.executable, "-m", "scheduler", "run"],
                env=environment,
                cwd=folder,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
            daemons.append(process)
            time.sleep(rng.uniform(0.1, 3.0))
            process.send_signal(signal.SIGKILL)
            process.wait()
            if (kill + 1) % 10 == 0:
                print(f"  {kill + 1} kills, campaign at {clock.now():%d %b %H:%M}")
        final = subprocess.Popen(
            [sys.executable, "-m", "scheduler", "run"],
            env=environment,
            cwd=folder,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        daemons.append(final)
        states = _wait_settled(sessions, clock, last, timeout_s=duration + 120)
        final.send_signal(signal.SIGTERM)
        final.wait(timeout=60)
        result = _count(
            sessions, sandbox, config, states, options.kills, time.monotonic() - started
        )
    finally:
        for daemon in daemons:  # an interrupted soak leaves no daemon behind
            if daemon.poll() is None:
                daemon.kill()
                daemon.wait()
        log.close()
        sandbox.stop()
        engine.dispose()
    print(json.dumps(result, indent=2))
    if options.json is not None:
        options.json.write_text(json.dumps(result, indent=2), encoding="utf-8")
    ok = result["duplicates"] == 0 and result["losses"] == 0 and result["unreconciled"] == 0
    return 0 if ok else 1


def _wait_settled(sessions: Any, clock: ScaledClock, last: Any, timeout_s: float) -> Counter[str]:
    deadline = time.monotonic() + timeout_s
    while True:
        with sessions() as session:
            states = Counter(str(state) for state in session.scalars(select(Publication.state)))
        if clock.now() > last and set(states) <= SETTLED:
            return states
        if time.monotonic() > deadline:
            return states
        time.sleep(0.5)


def _count(
    sessions: Any, sandbox: Any, config: Any, states: Counter[str], kills: int, wall_s: float
) -> dict[str, Any]:
    stored: dict[str, Counter[str]] = {}
    for account in config.accounts:
        if account.platform == "x":
            texts = [post.submitted for post in sandbox.x.posts(account.label)]
        else:
            texts = [post.message for post in sandbox.facebook.posts(account.label)]
        stored[account.label] = Counter(" ".join(text.split()) for text in texts)
    duplicates = sum(n - 1 for counter in stored.values() for n in counter.values() if n > 1)
    losses = unreconciled = 0
    with sessions() as session:
        for publication in session.scalars(select(Publication)):
            if publication.state == "published":
                continue
            text = " ".join(str(publication.post.texts.get(publication.platform, "")).split())
            out = any(text and text in sent for sent in stored[publication.account_label])
            if publication.state == "needs_review" and out:
                unreconciled += 1
            elif publication.state != "needs_review":
                losses += 1
    return {
        "kills": kills,
        "wall_seconds": round(wall_s, 1),
        "publications": dict(states),
        "duplicates": duplicates,
        "losses": losses,
        "unreconciled": unreconciled,
    }


if __name__ == "__main__":
    sys.exit(main())
