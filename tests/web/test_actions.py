"""Operator actions through the dashboard, each recorded in the audit trail by the store."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from starlette.testclient import TestClient

from scheduler.storage.models import AuditEntry, Hold, Publication, PublicationState
from tests.storage.conftest import publication_of
from tests.web.conftest import csrf_of
from tests.web.seed import CANCELLED, FAILED, NEEDS_REVIEW, NOW, OVERDUE


def _publication(sessions: sessionmaker[Session], key: tuple[str, str]) -> Publication:
    return publication_of(sessions, *key)


def _audit(sessions: sessionmaker[Session], action: str) -> list[AuditEntry]:
    with sessions() as session:
        return list(
            session.scalars(
                select(AuditEntry).where(AuditEntry.action == action, AuditEntry.at == NOW)
            )
        )


def _post(client: TestClient, path: str, **fields: str) -> str:
    """Submit a form as the page would; returns the page shown afterwards."""
    csrf = csrf_of(client.get("/attention").text)
    response = client.post(path, data={"csrf_token": csrf, **fields})
    assert response.status_code == 303
    return client.get(response.headers["location"]).text


def test_retry_a_failed_publication(operator: TestClient, sessions: sessionmaker[Session]) -> None:
    failed = _publication(sessions, FAILED)
    page = _post(
        operator,
        f"/publications/{failed.id}/retry",
        reason="text shortened and synced",
        next=f"/posts/{FAILED[0]}",
    )
    assert f"Queued again: {FAILED[0]} on {FAILED[1]}: failed → pending." in page
    after = _publication(sessions, FAILED)
    assert after.state == PublicationState.PENDING and after.next_attempt_at == NOW
    [entry] = _audit(sessions, "retry")
    assert entry.actor == "Ana (dashboard)" and entry.reason == "text shortened and synced"
    assert entry.target == f"{FAILED[0]}@{FAILED[1]}"


def test_cancel_a_pending_publication(
    operator: TestClient, sessions: sessionmaker[Session]
) -> None:
    overdue = _publication(sessions, OVERDUE)
    page = _post(operator, f"/publications/{overdue.id}/cancel", reason="the event moved")
    assert "Cancelled:" in page
    after = _publication(sessions, OVERDUE)
    assert after.state == PublicationState.CANCELLED and after.cancel_source == "operator"
    assert _audit(sessions, "cancel")[0].reason == "the event moved"


def test_resolve_as_published_with_the_live_url(
    operator: TestClient, sessions: sessionmaker[Session]
) -> None:
    review = _publication(sessions, NEEDS_REVIEW)
    url = "https://x.com/CMC_espanol/status/1328624500000000000"
    page = _post(
        operator,
        f"/publications/{review.id}/resolve",
        outcome="published",
        url=url,
        reason="found it on the account",
    )
    assert "needs_review → published" in page
    after = _publication(sessions, NEEDS_REVIEW)
    assert after.state == PublicationState.PUBLISHED and after.platform_url == url
    assert after.platform_post_id == "1328624500000000000"
    assert _audit(sessions, "resolve")[0].detail == f"needs_review -> published {url}"


def test_resolve_as_not_published_queues_it_again(
    operator: TestClient, sessions: sessionmaker[Session]
) -> None:
    review = _publication(sessions, NEEDS_REVIEW)
    _post(
        operator,
        f"/publications/{review.id}/resolve",
        outcome="not_published",
        reason="not on the account",
    )
    assert _publication(sessions, NEEDS_REVIEW).state == PublicationState.PENDING


def test_a_form_filled_wrongly_changes_nothing_and_says_why(
    operator: TestClient, sessions: sessionmaker[Session]
) -> None:
    review = _publication(sessions, NEEDS_REVIEW)
    page = _post(
        operator, f"/publications/{review.id}/resolve", outcome="published", reason="it is there"
    )
    assert "Could not resolve: give the live post&#39;s URL" in page
    page = _post(operator, f"/publications/{review.id}/retry", reason="   ")
    assert "Could not retry: give a reason" in page
    assert _publication(sessions, NEEDS_REVIEW).state == PublicationState.NEEDS_REVIEW
    assert _audit(sessions, "resolve") == [] and _audit(sessions, "retry") == []


def test_the_store_refusing_a_move_is_shown(
    operator: TestClient, sessions: sessionmaker[Session]
) -> None:
    published = _publication(sessions, ("2020-11-10-am-en", "x-main"))
    page = _post(operator, f"/publications/{published.id}/retry", reason="again please")
    assert (
        "Could not retry: 2020-11-10-am-en@x-main is published, so it cannot become pending" in page
    )
    assert (
        _publication(sessions, ("2020-11-10-am-en", "x-main")).state == PublicationState.PUBLISHED
    )
    page = _post(operator, "/publications/999999/cancel", reason="gone")
    assert "Could not cancel: no publication with id &#39;999999&#39;" in page


def test_pause_and_resume_the_campaign(
    operator: TestClient, sessions: sessionmaker[Session]
) -> None:
    page = _post(operator, "/pause", reason="statement under embargo")
    assert "The whole campaign is paused" in page and "statement under embargo" in page
    with sessions() as session:
        hold = session.get(Hold, "campaign")
        assert hold is not None and hold.actor == "Ana (dashboard)"
    page = _post(operator, "/resume", scope="campaign", reason="embargo lifted")
    assert "Publishing resumed." in page and "Publishing is running" in page
    with sessions() as session:
        assert session.get(Hold, "campaign") is None
    assert [entry.reason for entry in _audit(sessions, "resume")] == ["embargo lifted"]


def test_resume_a_paused_account(operator: TestClient, sessions: sessionmaker[Session]) -> None:
    page = _post(operator, "/resume", scope="account:x-es", reason="token renewed")
    assert "Resumed x-es." in page and 'data-testid="account-hold"' not in page
    with sessions() as session:
        assert session.get(Hold, "account:x-es") is None
    page = _post(operator, "/resume", scope="everything", reason="?")
    assert "Could not resume: unknown pause" in page


def test_queue_again_a_publication_an_operator_cancelled(
    operator: TestClient, sessions: sessionmaker[Session]
) -> None:
    cancelled = _publication(sessions, CANCELLED)
    html = operator.get(f"/posts/{CANCELLED[0]}").text
    article = html[html.index(f'id="publication-{cancelled.id}"') :]
    article = article[: article.index("</article>")]
    assert ">Queue again</button>" in article
    page = _post(operator, f"/publications/{cancelled.id}/retry", reason="duplicate withdrawn")
    assert f"{CANCELLED[0]} on {CANCELLED[1]}: cancelled → pending" in page
    after = _publication(sessions, CANCELLED)
    assert (after.state, after.cancel_source) == (PublicationState.PENDING, None)
    [entry] = _audit(sessions, "retry")
    assert entry.detail == "cancelled -> pending" and entry.reason == "duplicate withdrawn"
