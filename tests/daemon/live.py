"""A campaign for real daemon processes: the sandbox in this test's process
(real HTTP), a config.yaml pointing at it, a database, and `campaign run`
started as a subprocess that a test can kill."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import select

from scheduler.clock import SystemClock
from scheduler.config import CampaignConfig, load_config
from scheduler.content.resolved import ResolvedPost
from scheduler.sandbox.app import Sandbox, build_sandbox
from scheduler.sandbox.credentials import sandbox_environment
from scheduler.sandbox.faults import FaultPlan
from scheduler.storage.database import make_engine, make_session_factory
from scheduler.storage.models import Publication
from scheduler.storage.sync import sync_posts
from tests.conftest import ROOT
from tests.daemon.conftest import campaign_dict, make_config

SETTLED = {"published", "failed", "needs_review", "missed", "cancelled"}


class LiveCampaign:
    """Everything a daemon subprocess needs, under ``base``."""

    def __init__(self, base: Path, database_url: str, **publishing: Any) -> None:
        self.base = base
        self.database_url = database_url
        self.clock = SystemClock()
        self.faults = FaultPlan()
        settings = {
            "refresh_s": 0.1,
            "lease_s": 30,
            "max_attempts": 20,
            "catch_up_spacing_s": 0.05,
            "backoff_base_s": 0.2,
            "backoff_max_s": 1,
            **publishing,
        }
        data = campaign_dict(**settings)
        self.sandbox: Sandbox = build_sandbox(make_config(base, data), self.clock, self.faults)
        self.sandbox.start()
        data["platforms"] = {
            "x": {"api_base_url": self.sandbox.url, "request_timeout_s": 5},
            "facebook": {"api_base_url": self.sandbox.url, "request_timeout_s": 5},
        }
        self.config_path = base / "config.yaml"
        self.config_path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
        self.config: CampaignConfig = load_config(self.config_path)
        make_config(base, data)  # the logo
        self.engine = make_engine(database_url)
        self.sessions = make_session_factory(self.engine)
        self.environment = {
            **os.environ,
            **sandbox_environment(self.config),
            "CAMPAIGN_CONFIG": str(self.config_path),
            "CAMPAIGN_DATABASE_URL": database_url,
            "PYTHONPATH": str(ROOT),
        }
        self.environment.pop("CAMPAIGN_CRASH_AT", None)
        self.runs = 0
        self.processes: list[subprocess.Popen[bytes]] = []

    def queue(self, posts: list[ResolvedPost]) -> None:
        sync_posts(self.sessions, posts, self.config, now=self.clock.now())

    def start(self, crash_at: str | None = None, **environment: str) -> subprocess.Popen[bytes]:
        """`campaign run` in a new process; its log goes to ``daemon-<n>.log``."""
        self.runs += 1
        env = {**self.environment, **environment}
        if crash_at:
            env["CAMPAIGN_CRASH_AT"] = crash_at
        with (self.base / f"daemon-{self.runs}.log").open("wb") as log:
            process = subprocess.Popen(
                [sys.executable, "-m", "scheduler", "run"],
                env=env,
                cwd=self.base,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        self.processes.append(process)
        return process

    def states(self) -> dict[int, str]:
        with self.sessions() as session:
            return {
                pid: str(state)
                for pid, state in session.execute(select(Publication.id, Publication.state))
            }

    def wait_settled(self, timeout_s: float = 60.0) -> dict[int, str]:
        deadline = time.monotonic() + timeout_s
        while True:
            states = self.states()
            if set(states.values()) <= SETTLED:
                return states
            if time.monotonic() > deadline:
                raise AssertionError(f"not settled in time: {Counter(states.values())}")
            time.sleep(0.1)

    def platform_texts(self) -> dict[str, Counter[str]]:
        """Account label -> how many stored posts carry each text (as sent)."""
        texts: dict[str, Counter[str]] = {}
        for account in self.config.accounts:
            if account.platform == "x":
                sent = [post.submitted for post in self.sandbox.x.posts(account.label)]
            else:
                sent = [post.message for post in self.sandbox.facebook.posts(account.label)]
            texts[account.label] = Counter(" ".join(text.split()) for text in sent)
        return texts

    def platform_ids(self) -> set[str]:
        ids = set()
        for account in self.config.accounts:
            if account.platform == "x":
                ids |= {post.id for post in self.sandbox.x.posts(account.label)}
            else:
                ids |= {post.post_id for post in self.sandbox.facebook.posts(account.label)}
        return ids

    def close(self) -> None:
        for process in self.processes:  # a failed test must leave no daemon behind
            if process.poll() is None:
                process.kill()
                process.wait()
        try:
            self.sandbox.stop()
        finally:
            self.engine.dispose()


def stop(process: subprocess.Popen[bytes], timeout_s: float = 30.0) -> int:
    """SIGTERM and wait; returns the exit status."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
    return process.wait(timeout=timeout_s)
