"""`campaign withdraw` run as a person runs it, against the sandbox's X, Graph and
Mastodon APIs (real tweepy, facebook-sdk and Mastodon.py over HTTP), repeated and
under faults."""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from scheduler.cli import app
from scheduler.clock import FrozenClock
from scheduler.config import load_config
from scheduler.daemon.accounts import build_publisher
from scheduler.daemon.crashpoints import CrashPoints
from scheduler.daemon.limits import AccountLimits
from scheduler.daemon.publishers import PublisherPool
from scheduler.daemon.worker import WorkerContext, publish
from scheduler.errors import InvalidTransition
from scheduler.sandbox.app import Sandbox, build_sandbox
from scheduler.sandbox.credentials import sandbox_environment
from scheduler.sandbox.faults import Fault, FaultPlan
from scheduler.storage import daemon_state
from scheduler.storage.models import Publication
from tests.storage.cli_helpers import folder_sessions, run, write_campaign

NOW = datetime(2020, 11, 20, 10, 0, tzinfo=UTC)  # both language versions of `launch` are due


@pytest.fixture
def world(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Path, Sandbox]]:
    """The shipped campaign in ``tmp_path`` pointed at a running sandbox, its posts
    synced and published by the real worker."""
    write_campaign(tmp_path, monkeypatch)
    clock = FrozenClock(NOW)
    campaign = load_config(tmp_path / "config.yaml")
    with build_sandbox(campaign, clock, FaultPlan()) as sandbox:
        path = tmp_path / "config.yaml"
        text = path.read_text().replace('"https://api.twitter.com"', f'"{sandbox.url}"')
        text = text.replace('"https://graph.facebook.com"', f'"{sandbox.url}"')
        text = text.replace('"https://bsky.social"', f'"{sandbox.url}"')
        path.write_text(
            text.replace("  mastodon:", f'  mastodon:\n    api_base_url: "{sandbox.url}"\n', 1)
        )
        environ = sandbox_environment(campaign)
        for name, value in environ.items():
            monkeypatch.setenv(name, value)
        run("db", "upgrade")
        run("sync")
        live = load_config(path)
        with folder_sessions(tmp_path) as sessions:
            daemon_state.ensure_accounts(sessions, [a.label for a in live.accounts], NOW)
            context = WorkerContext(
                sessions=sessions,
                config=live,
                clock=clock,
                worker_id="test:1:w",
                limits=AccountLimits(live),
                publishers=PublisherPool(
                    live, lambda account: build_publisher(live, account, environ, clock)
                ),
                crash=CrashPoints(),
                rng=random.Random(1),
            )
            for _ in range(3):  # the Page's spacing puts its second post 20 minutes later
                with sessions() as session:
                    due = session.scalars(
                        select(Publication.id).where(Publication.state == "pending")
                    ).all()
                for publication_id in due:
                    publish(context, publication_id)
                clock.advance(25 * 60)
            context.publishers.close()
        yield tmp_path, sandbox


def _states(folder: Path) -> dict[str, str]:
    with folder_sessions(folder) as sessions, sessions() as session:
        rows = session.execute(
            select(Publication.post_id, Publication.account_label, Publication.state)
        ).all()
    return {f"{post}@{account}": str(state) for post, account, state in rows}


def test_withdraw_takes_the_message_down_from_x_and_facebook_repeated_and_under_faults(
    world: tuple[Path, Sandbox],
) -> None:
    folder, sandbox = world
    assert set(_states(folder).values()) == {"published"}
    assert sandbox.x.count("x-main") == sandbox.x.count("x-fr") == 1
    assert sandbox.facebook.count("facebook-main") == 2
    assert sandbox["mastodon"].count("mastodon-main") == 2
    assert sandbox["bluesky"].count("bluesky-main") == 2
    # X keeps failing for x-fr; the Graph deletes one post but the answer is lost.
    sandbox.faults.add(Fault("x.delete", "server_error", account="x-fr", times=3))
    sandbox.faults.add(Fault("facebook.delete", "drop_after", account="facebook-main"))
    sandbox.faults.add(Fault("mastodon.delete", "drop_after", account="mastodon-main"))

    first = " ".join(run("withdraw", "launch", "--reason", "the figure was wrong", code=1).split())

    assert "withdrawn launch-en@x-main" in first and "deleted from the platform" in first
    assert "not withdrawn launch-fr@x-fr" in first and "run the command again" in first
    assert "withdrawn launch-en@facebook-main" in first
    assert "withdrawn launch-fr@facebook-main" in first
    assert "withdrawn launch-en@mastodon-main" in first
    assert "withdrawn launch-fr@mastodon-main" in first
    assert "withdrawn launch-en@bluesky-main" in first
    assert "withdrawn launch-fr@bluesky-main" in first
    assert "it was no longer on the platform" in first  # the delete whose answer was lost
    states = _states(folder)
    assert states.pop("launch-fr@x-fr") == "published"
    assert set(states.values()) == {"withdrawn"}
    assert sandbox.x.count("x-fr") == 1 and sandbox.facebook.count("facebook-main") == 0
    assert sandbox["mastodon"].count("mastodon-main") == 0
    assert sandbox["bluesky"].count("bluesky-main") == 0

    second = " ".join(run("withdraw", "launch", "--reason", "the figure was wrong").split())
    assert "withdrawn launch-fr@x-fr" in second
    assert "left alone: launch-en@x-main (withdrawn before)" in second
    assert set(_states(folder).values()) == {"withdrawn"}
    assert sandbox.x.count("x-fr") == 0 and sandbox.x.count("x-main") == 0

    third = " ".join(run("withdraw", "launch-fr", "--account", "x-fr", "--reason", "again").split())
    assert "left alone: launch-fr@x-fr (withdrawn before)" in third

    history = " ".join(run("history", "--limit", "50").split())
    assert "withdrawn" in history and "withdraw_failed" in history
    refused = CliRunner().invoke(app, ["retry", "launch", "--reason", "bring it back"])
    assert isinstance(refused.exception, InvalidTransition)
    assert "a withdrawn post is never published again" in str(refused.exception)
    synced = " ".join(run("sync", "--verbose").split())
    assert "withdrawn; sync never publishes it again" in synced


def test_sync_lists_live_posts_whose_file_was_removed(world: tuple[Path, Sandbox]) -> None:
    folder, _sandbox = world
    (folder / "posts" / "launch.yaml").unlink()

    out = " ".join(run("sync").split())

    assert "live (8)" in out
    assert ("launch-en@x-main 2020-11-20 10:00 file removed, but it is live (https://x.com/") in out
    assert '`campaign withdraw launch-en --account x-main --reason "..."`' in out
