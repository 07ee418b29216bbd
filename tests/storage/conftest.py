"""Fixtures of the store's suite: the shipped config, a check that no connection
leaks, and a factory of checked posts (what ``campaign check`` hands to sync). The
sessions on both engines come from the suite's conftest."""

from __future__ import annotations

import gc
import warnings
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select, update

from scheduler.config import CampaignConfig, load_config
from scheduler.content.resolved import ResolvedPost
from scheduler.storage.models import Attempt, Publication, PublicationState
from tests.conftest import ROOT, Sessions

NOW = datetime(2020, 11, 1, 9, 0, tzinfo=UTC)
MakePost = Callable[..., ResolvedPost]


@pytest.fixture(scope="session")
def config() -> CampaignConfig:
    """The shipped config.yaml (accounts x-main, x-fr, x-es, facebook-main)."""
    return load_config(ROOT / "config.yaml")


@pytest.fixture(autouse=True)
def no_leaked_connections() -> Iterator[None]:
    """Fail the test that leaves a database connection open.

    A connection nobody closed (an engine never disposed, a result never read to
    the end) warns when the garbage collector finds it, in whatever test runs then.
    Collecting here, after each test, puts the ResourceWarning on the test that
    leaked it.
    """
    yield
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ResourceWarning)
        gc.collect()
    leaks = [str(warning.message) for warning in caught if warning.category is ResourceWarning]
    assert not leaks, f"database connections left open: {leaks}"


def make_post(
    post_id: str = "launch-en",
    *,
    text: str = "Join the Treaty #StopClusterBombsNow",
    publish_at: datetime = datetime(2020, 11, 20, 9, 0, tzinfo=UTC),
    targets: tuple[str, ...] = ("x-main", "facebook-main"),
    status: str = "approved",
    call: str = "join-the-treaty",
    language: str = "en",
    source_path: str = "posts/launch.yaml",
    source_line: int = 1,
) -> ResolvedPost:
    """A checked post; the content hash follows the text."""
    return ResolvedPost(
        id=post_id,
        message_id=post_id.rsplit("-", 1)[0],
        call=call,
        language=language,
        status=status,
        publish_at=publish_at,
        texts={"x": text, "facebook": text},
        media=(f"logos/{language}/{call}.png",),
        link=None,
        targets=targets,
        source_path=source_path,
        source_line=source_line,
    )


def set_state(
    sessions: Sessions,
    post_id: str,
    account: str,
    state: PublicationState,
    **values: object,
) -> None:
    """Move a publication as the daemon would (the daemon's code is not under test here)."""
    with sessions.begin() as session:
        session.execute(
            update(Publication)
            .where(Publication.post_id == post_id, Publication.account_label == account)
            .values(state=state, **values)
        )


def publication_of(sessions: Sessions, post_id: str, account: str) -> Publication:
    """The publication of ``post_id`` on ``account``, read in a session of its own."""
    with sessions() as session:
        found = session.scalars(
            select(Publication).where(
                Publication.post_id == post_id, Publication.account_label == account
            )
        ).one()
        return found


def add_attempts(sessions: Sessions, post_id: str, account: str, *attempts: Attempt) -> int:
    """Record ``attempts`` (made without a publication) for the publication of
    ``post_id`` on ``account``, as a daemon would; returns the publication's id."""
    publication_id = publication_of(sessions, post_id, account).id
    with sessions.begin() as session:
        for attempt in attempts:
            attempt.publication_id = publication_id
        session.add_all(attempts)
    return publication_id


def published_after_a_retry(
    sessions: Sessions, post_id: str, account: str, at: datetime, retry_after: timedelta
) -> None:
    """``post_id`` on ``account`` as a daemon leaves it: a try at ``at`` that met an
    overloaded platform (HTTP 503), then one ``retry_after`` later that published it
    (https://x.com/a/status/7)."""
    retried_at = at + retry_after
    add_attempts(
        sessions, post_id, account,
        Attempt(worker_id="w1", started_at=at, ended_at=at, outcome="transient",
                http_status=503, platform_message="over capacity"),
        Attempt(worker_id="w1", started_at=retried_at, ended_at=retried_at, outcome="published",
                http_status=201),
    )  # fmt: skip
    published = PublicationState.PUBLISHED
    set_state(sessions, post_id, account, published, platform_url="https://x.com/a/status/7")
