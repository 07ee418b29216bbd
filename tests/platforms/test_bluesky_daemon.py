"""Bluesky exactly once, through the real worker and the stand-in: a create whose
answer is lost is settled by ``getRecord`` on the publication's record key, and a
publication a person queues again gets a new key."""

from __future__ import annotations

import hashlib
import random
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from scheduler.clock import FrozenClock
from scheduler.config import CampaignConfig, load_config
from scheduler.daemon.accounts import build_publisher
from scheduler.daemon.crashpoints import CrashPoints
from scheduler.daemon.limits import AccountLimits
from scheduler.daemon.publishers import PublisherPool
from scheduler.daemon.worker import WorkerContext, publish
from scheduler.platforms.bluesky.records import record_key
from scheduler.platforms.bluesky.sandbox.api import BlueskySandbox
from scheduler.sandbox.app import Sandbox, build_sandbox
from scheduler.sandbox.credentials import sandbox_environment
from scheduler.sandbox.faults import Fault, FaultPlan
from scheduler.storage import daemon_state
from scheduler.storage.models import Attempt, Publication
from tests.storage.cli_helpers import folder_sessions, run, write_campaign

NOW = datetime(2020, 11, 20, 10, 0, tzinfo=UTC)  # `launch` is due (en 10:00, fr 10:30 local)
LABEL = "bluesky-main"


@pytest.fixture
def world(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Path, Sandbox]]:
    """The shipped campaign in ``tmp_path``, pointed at a running sandbox, synced."""
    write_campaign(tmp_path, monkeypatch)
    campaign = load_config(tmp_path / "config.yaml")
    with build_sandbox(campaign, FrozenClock(NOW), FaultPlan()) as sandbox:
        path = tmp_path / "config.yaml"
        path.write_text(path.read_text().replace('"https://bsky.social"', f'"{sandbox.url}"'))
        for name, value in sandbox_environment(campaign).items():
            monkeypatch.setenv(name, value)
        run("db", "upgrade")
        run("sync")
        yield tmp_path, sandbox


def _publish_due(folder: Path, clock: FrozenClock) -> None:
    """Run the real worker once over every pending Bluesky publication."""
    live: CampaignConfig = load_config(folder / "config.yaml")
    environ = sandbox_environment(live)
    with folder_sessions(folder) as sessions:
        daemon_state.ensure_accounts(sessions, [a.label for a in live.accounts], clock.now())
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
        with sessions() as session:
            due = session.scalars(
                select(Publication.id).where(
                    Publication.state == "pending", Publication.account_label == LABEL
                )
            ).all()
        for publication_id in due:
            publish(context, publication_id)
        context.publishers.close()


def _rows(folder: Path) -> dict[str, tuple[str, str | None, list[str]]]:
    """post id -> (state, platform URL, attempt outcomes) of the Bluesky publications."""
    with folder_sessions(folder) as sessions, sessions() as session:
        found = {}
        for publication in session.scalars(
            select(Publication).where(Publication.account_label == LABEL)
        ):
            outcomes = session.scalars(
                select(Attempt.outcome)
                .where(Attempt.publication_id == publication.id)
                .order_by(Attempt.id)
            ).all()
            found[publication.post_id] = (
                str(publication.state),
                publication.platform_url,
                [str(o) for o in outcomes],
            )
        return found


def test_a_lost_answer_is_settled_by_the_record_key_and_never_sent_twice(
    world: tuple[Path, Sandbox],
) -> None:
    folder, sandbox = world
    stand_in = sandbox["bluesky"]
    assert isinstance(stand_in, BlueskySandbox)
    sandbox.faults.add(Fault("bluesky.create", "drop_after", account=LABEL))
    _publish_due(folder, FrozenClock(NOW))
    rows = _rows(folder)
    assert rows["launch-en"][0] == "published"
    assert rows["launch-en"][2] == ["reconciled"]
    stored = stand_in.sent(LABEL)
    assert len(stored) == 1  # the create went once; getRecord found it
    assert (
        rows["launch-en"][1]
        == f"https://bsky.app/profile/{stored[0].post_id[5:].replace('/app.bsky.feed.post/', '/post/')}"
    )


def test_a_publication_queued_again_gets_a_new_record_key(world: tuple[Path, Sandbox]) -> None:
    folder, sandbox = world
    stand_in = sandbox["bluesky"]
    assert isinstance(stand_in, BlueskySandbox)
    # Dropped before the PDS stored anything: getRecord finds nothing, a person looks.
    sandbox.faults.add(Fault("bluesky.create", "drop_before", account=LABEL))
    _publish_due(folder, FrozenClock(NOW))
    assert _rows(folder)["launch-en"][0] == "needs_review"
    assert stand_in.count(LABEL) == 0
    run("resolve", "launch-en", "--account", LABEL, "--not-published", "--reason", "not there")
    # `resolve` ran on the system clock: the publication is due again from then.
    _publish_due(folder, FrozenClock(datetime.now(UTC) + timedelta(seconds=1)))
    state, url, _outcomes = _rows(folder)["launch-en"]
    assert state == "published"
    (post,) = stand_in.sent(LABEL)
    rkey = post.post_id.rsplit("/", 1)[1]
    assert url is not None and url.endswith(rkey)
    with folder_sessions(folder) as sessions, sessions() as session:
        publication_id = session.scalars(
            select(Publication.id).where(
                Publication.post_id == "launch-en", Publication.account_label == LABEL
            )
        ).one()
    # The first try's key: post, account, publication and "first" (no requeue yet),
    # as scheduler.daemon.reconcile.post_request derives it.
    first = f"launch-en\n{LABEL}\n{publication_id}\nfirst"
    assert rkey != record_key(hashlib.sha256(first.encode()).hexdigest()[:32])
