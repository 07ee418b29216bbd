"""The dashboard's withdraw action: behind the operator sign-in, with a box to
tick, deleting the live post through the account's publisher and recording it."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from starlette.testclient import TestClient

from scheduler.clock import FrozenClock
from scheduler.config import CampaignConfig
from scheduler.platforms.base import PublishedPost, Publisher
from scheduler.platforms.memory import MemoryPlatform, MemoryPublisher
from scheduler.storage.models import AuditEntry, Publication, PublicationState
from scheduler.web import create_app, web_access
from tests.conftest import Closer
from tests.web.conftest import TOKEN, csrf_of, sign_in
from tests.web.seed import NOW


def _dashboard(
    config: CampaignConfig, sessions: sessionmaker[Session], closing: Closer
) -> tuple[TestClient, MemoryPlatform, Publication]:
    platform = MemoryPlatform(clock=FrozenClock(NOW))

    def publisher_for(label: str) -> Publisher:
        return MemoryPublisher(label, platform)

    app = create_app(
        config, sessions, FrozenClock(NOW), web_access("127.0.0.1", TOKEN, config),
        publisher_for=publisher_for,
    )  # fmt: skip
    client = closing(TestClient(app, base_url="http://127.0.0.1", follow_redirects=False))
    with sessions() as session:
        live = session.scalars(
            select(Publication)
            .where(Publication.state == PublicationState.PUBLISHED)
            .order_by(Publication.id)
            .limit(1)
        ).one()
    assert live.platform_post_id is not None and live.platform_url is not None
    platform.posts[live.account_label] = [
        PublishedPost(live.platform_post_id, live.platform_url, NOW, "the live text")
    ]
    return client, platform, live


def _withdraw(client: TestClient, live: Publication, **fields: str) -> TestClient:
    page = client.get(f"/posts/{live.post_id}")
    response = client.post(
        f"/publications/{live.id}/withdraw",
        data={"csrf_token": csrf_of(page.text), "next": f"/posts/{live.post_id}", **fields},
    )
    return response  # type: ignore[return-value]


def test_an_operator_withdraws_a_live_post_after_confirming(
    config: CampaignConfig, sessions: sessionmaker[Session], closing: Closer
) -> None:
    client, platform, live = _dashboard(config, sessions, closing)
    sign_in(client)
    page = client.get(f"/posts/{live.post_id}").text
    assert f'action="/publications/{live.id}/withdraw"' in page
    assert 'name="confirm" value="yes" required' in page

    unconfirmed = _withdraw(client, live, reason="wrong figure")
    shown = client.get(unconfirmed.headers["location"]).text  # type: ignore[attr-defined]
    assert "tick the box to confirm" in shown
    assert platform.posts[live.account_label]  # still live

    done = _withdraw(client, live, reason="wrong figure", confirm="yes")
    shown = client.get(done.headers["location"]).text  # type: ignore[attr-defined]
    assert f"Withdrawn: {live.post_id} on {live.account_label}" in shown
    assert platform.posts[live.account_label] == []
    with sessions() as session:
        row = session.get(Publication, live.id)
        assert row is not None and row.state == PublicationState.WITHDRAWN
        (entry,) = session.scalars(select(AuditEntry).where(AuditEntry.action == "withdraw"))
    assert entry.actor == "Ana (dashboard)" and entry.reason == "wrong figure"
    assert (
        f'action="/publications/{live.id}/withdraw"'
        not in client.get(f"/posts/{live.post_id}").text
    )  # nothing left to withdraw


def test_withdrawing_needs_the_operator_sign_in(
    config: CampaignConfig, sessions: sessionmaker[Session], closing: Closer
) -> None:
    client, platform, live = _dashboard(config, sessions, closing)
    page = client.get(f"/posts/{live.post_id}").text
    assert f'action="/publications/{live.id}/withdraw"' not in page
    token = csrf_of(client.get("/signin").text)
    response = client.post(
        f"/publications/{live.id}/withdraw",
        data={"csrf_token": token, "reason": "x", "confirm": "yes"},
    )
    assert response.status_code == 403
    assert platform.posts[live.account_label]
