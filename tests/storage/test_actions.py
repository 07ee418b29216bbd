"""Operator actions: allowed moves, the audit trail, pauses; on both engines."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from scheduler.config import CampaignConfig
from scheduler.errors import ConfigError, InvalidTransition, NotFoundError, StorageError
from scheduler.storage import actions
from scheduler.storage.models import Attempt, AuditEntry, Hold, Publication
from scheduler.storage.models import PublicationState as State
from scheduler.storage.sync import sync_posts
from tests.storage.conftest import NOW, add_attempts, make_post, publication_of, set_state

Sessions = sessionmaker[Session]
LATER = NOW + timedelta(days=30)


@pytest.fixture
def queued(sessions: Sessions, config: CampaignConfig) -> Sessions:
    """One post queued for x-main and facebook-main."""
    sync_posts(sessions, [make_post()], config, now=NOW)
    return sessions


def state_of(sessions: Sessions, account: str) -> Publication:
    return publication_of(sessions, "launch-en", account)


def assert_retry_by_name_queues_again(sessions: Sessions, account: str, reason: str) -> None:
    """The cancelled publication on ``account``, retried by name, is pending again."""
    assert state_of(sessions, account).state == State.CANCELLED
    actions.retry(sessions, "launch-en", account=account, reason=reason, now=LATER)
    assert state_of(sessions, account).state == State.PENDING


def audit(sessions: Sessions) -> list[AuditEntry]:
    with sessions() as session:
        return list(session.scalars(select(AuditEntry).order_by(AuditEntry.id)))


def test_cancel_records_who_when_why_and_sync_leaves_it_cancelled(
    queued: Sessions, config: CampaignConfig
) -> None:
    result = actions.cancel(queued, "launch-en", reason="wrong figure", now=LATER, actor="ana")
    assert [(c.account, c.before, c.after) for c in result.changes] == [
        ("facebook-main", "pending", "cancelled"),
        ("x-main", "pending", "cancelled"),
    ]
    entries = audit(queued)
    assert [(e.actor, e.action, e.target, e.reason, e.detail) for e in entries] == [
        ("ana", "cancel", "launch-en@facebook-main", "wrong figure", "pending -> cancelled"),
        ("ana", "cancel", "launch-en@x-main", "wrong figure", "pending -> cancelled"),
    ]
    assert entries[0].at == LATER
    diff = sync_posts(queued, [make_post()], config, now=LATER)
    assert not diff.writes
    assert state_of(queued, "x-main").state == State.CANCELLED


def test_cancel_one_account_and_refuse_a_published_one(queued: Sessions) -> None:
    set_state(queued, "launch-en", "x-main", State.PUBLISHED)
    with pytest.raises(InvalidTransition, match="published"):
        actions.cancel(queued, "launch-en", account="x-main", reason="late", now=LATER)
    result = actions.cancel(queued, "launch-en", reason="late", now=LATER)
    assert [c.account for c in result.changes] == ["facebook-main"]
    assert result.skipped == [actions.Skipped("launch-en", "x-main", "published")]


def test_the_actor_defaults_to_the_operating_system_user(queued: Sessions) -> None:
    actions.cancel(queued, "launch-en", account="x-main", reason="r", now=LATER)
    assert audit(queued)[0].actor == actions.current_actor() != ""


def test_retry_queues_failed_and_missed_again_due_now(queued: Sessions) -> None:
    set_state(queued, "launch-en", "x-main", State.FAILED, attempt_count=5, last_error="boom")
    set_state(queued, "launch-en", "facebook-main", State.MISSED)
    result = actions.retry(queued, "launch-en", reason="platform is back", now=LATER)
    assert {c.before for c in result.changes} == {"failed", "missed"}
    retried = state_of(queued, "x-main")
    assert retried.state == State.PENDING
    assert retried.next_attempt_at == LATER
    assert retried.scheduled_at == make_post().publish_at
    assert retried.attempt_count == 0
    assert retried.last_error is None


def test_retry_refuses_pending_and_names_what_it_takes(queued: Sessions) -> None:
    with pytest.raises(InvalidTransition, match="cancelled, failed, missed, needs_review"):
        actions.retry(queued, "launch-en", reason="r", now=LATER)


def test_retry_undoes_an_operators_cancel_and_sync_keeps_it_queued(
    queued: Sessions, config: CampaignConfig
) -> None:
    actions.cancel(queued, "launch-en", reason="wrong figure", now=NOW, actor="ana")
    result = actions.retry(queued, "launch-en", reason="figure checked", now=LATER, actor="bo")
    assert [(c.account, c.before, c.after) for c in result.changes] == [
        ("facebook-main", "cancelled", "pending"),
        ("x-main", "cancelled", "pending"),
    ]
    back = state_of(queued, "x-main")
    assert (back.state, back.next_attempt_at, back.cancel_source, back.cancel_reason) == (
        State.PENDING, LATER, None, None,
    )  # fmt: skip
    assert [(e.actor, e.action, e.detail) for e in audit(queued)[2:]] == [
        ("bo", "retry", "cancelled -> pending"),
        ("bo", "retry", "cancelled -> pending"),
    ]
    sync_posts(queued, [make_post()], config, now=LATER)
    assert state_of(queued, "x-main").state == State.PENDING


def test_undoing_a_cancel_before_the_posts_time_keeps_its_time(queued: Sessions) -> None:
    """An operator who cancels then changes their mind must not publish early."""
    due = make_post().publish_at
    before = due - timedelta(minutes=2)
    actions.cancel(queued, "launch-en", account="x-main", reason="check a figure", now=before)
    actions.retry(queued, "launch-en", account="x-main", reason="figure ok", now=before)
    back = state_of(queued, "x-main")
    assert (back.state, back.next_attempt_at) == (State.PENDING, due)


def test_retrying_a_failure_leaves_a_deliberate_cancel_alone(queued: Sessions) -> None:
    set_state(queued, "launch-en", "x-main", State.FAILED)
    actions.cancel(queued, "launch-en", account="facebook-main", reason="not for the Page", now=NOW)
    result = actions.retry(queued, "launch-en", reason="X is back", now=LATER)
    assert [c.account for c in result.changes] == ["x-main"]
    assert result.skipped == [actions.Skipped("launch-en", "facebook-main", "cancelled")]
    # Named on its own, the cancelled one is queued again.
    assert_retry_by_name_queues_again(queued, "facebook-main", reason="after all")


def test_retry_of_a_cancel_needs_the_post_approved_in_its_file(
    queued: Sessions, config: CampaignConfig
) -> None:
    actions.cancel(queued, "launch-en", reason="hold it", now=NOW)
    sync_posts(queued, [make_post(status="cancelled")], config, now=NOW)
    with pytest.raises(InvalidTransition) as refused:
        actions.retry(queued, "launch-en", account="x-main", reason="r", now=LATER)
    message = str(refused.value)
    assert "status cancelled" in message
    assert "fix: set `status: approved` in posts/launch.yaml:1, run `campaign sync`" in message
    # Approved again: the operator's cancel still sticks through sync, and retry lifts it.
    sync_posts(queued, [make_post()], config, now=LATER)
    assert_retry_by_name_queues_again(queued, "x-main", reason="approved again")


def test_retry_does_not_queue_an_account_the_post_no_longer_targets(
    queued: Sessions, config: CampaignConfig
) -> None:
    sync_posts(queued, [make_post(targets=("x-main",))], config, now=NOW)
    assert state_of(queued, "facebook-main").cancel_source == "sync"
    with pytest.raises(InvalidTransition, match="no longer targeted"):
        actions.retry(queued, "launch-en", account="facebook-main", reason="r", now=LATER)


def test_a_message_id_acts_on_every_language_version(
    sessions: Sessions, config: CampaignConfig
) -> None:
    versions = [
        make_post("launch-en"),
        make_post("launch-fr", text="Rejoignez le traité", language="fr", targets=("x-fr",)),
    ]
    sync_posts(sessions, versions, config, now=NOW)
    result = actions.cancel(sessions, "launch", reason="embargo", now=LATER)
    assert result.target is not None
    assert (result.target.message_id, result.target.post_ids) == (
        "launch", ("launch-en", "launch-fr"),
    )  # fmt: skip
    assert [(c.post_id, c.account) for c in result.changes] == [
        ("launch-en", "facebook-main"),
        ("launch-en", "x-main"),
        ("launch-fr", "x-fr"),
    ]
    again = actions.retry(sessions, "launch", account="x-fr", reason="lifted", now=LATER)
    assert [(c.post_id, c.after) for c in again.changes] == [("launch-fr", "pending")]


def test_an_unknown_id_suggests_close_ones(queued: Sessions) -> None:
    with pytest.raises(NotFoundError) as missing:
        actions.retry(queued, "lanch-en", reason="r", now=LATER)
    assert missing.value.suggestions[0] == "launch-en"
    assert "did you mean launch-en" in str(missing.value)


def test_retry_refuses_a_post_whose_file_was_removed(
    queued: Sessions, config: CampaignConfig
) -> None:
    set_state(queued, "launch-en", "x-main", State.NEEDS_REVIEW)
    sync_posts(queued, [], config, now=NOW)
    with pytest.raises(InvalidTransition, match="removed"):
        actions.retry(queued, "launch-en", reason="r", now=LATER)


def test_resolve_published_records_the_url_and_the_platform_id(queued: Sessions) -> None:
    set_state(queued, "launch-en", "x-main", State.NEEDS_REVIEW, claimed_hash="abc")
    add_attempts(
        queued, "launch-en", "x-main", Attempt(worker_id="w", started_at=NOW, outcome="unknown")
    )
    url = "https://x.com/banclusterbombs/status/1329000000000000001"
    actions.resolve(queued, "launch-en", published_url=url, reason="", now=LATER)
    resolved = state_of(queued, "x-main")
    assert resolved.state == State.PUBLISHED
    assert resolved.platform_url == url
    assert resolved.platform_post_id == "1329000000000000001"
    assert resolved.published_at == NOW  # when the uncertain attempt started
    assert resolved.published_hash == "abc"
    assert audit(queued)[-1].detail == f"needs_review -> published {url}"
    assert audit(queued)[-1].reason == f"confirmed published at {url}"


def test_resolve_not_published_puts_it_back_in_the_queue(queued: Sessions) -> None:
    set_state(queued, "launch-en", "facebook-main", State.NEEDS_REVIEW, needs_reconcile=True)
    actions.resolve(
        queued, "launch-en", published_url=None, reason="not on the Page", now=LATER, actor="bo"
    )
    back = state_of(queued, "facebook-main")
    assert (back.state, back.next_attempt_at, back.needs_reconcile) == (State.PENDING, LATER, False)
    assert audit(queued)[-1].detail == "needs_review -> pending (not published)"


def test_resolve_needs_a_single_publication_and_a_web_address(queued: Sessions) -> None:
    set_state(queued, "launch-en", "x-main", State.NEEDS_REVIEW)
    set_state(queued, "launch-en", "facebook-main", State.NEEDS_REVIEW)
    with pytest.raises(StorageError, match="--account"):
        actions.resolve(
            queued, "launch-en", published_url="https://x.com/a/status/1", reason="", now=LATER
        )
    with pytest.raises(ConfigError, match="web address"):
        actions.resolve(
            queued, "launch-en", account="x-main", published_url="x.com/1", reason="", now=LATER
        )
    with pytest.raises(ConfigError, match="reason"):
        actions.resolve(queued, "launch-en", published_url=None, reason=" ", now=LATER)


def test_unknown_targets_say_what_is_missing(queued: Sessions) -> None:
    with pytest.raises(NotFoundError, match="no post with id 'nope'"):
        actions.cancel(queued, "nope", reason="r", now=LATER)
    with pytest.raises(NotFoundError, match="launch-en@x-fr"):
        actions.cancel(queued, "launch-en", account="x-fr", reason="r", now=LATER)
    with pytest.raises(NotFoundError, match="publication"):
        actions.cancel(queued, 9999, reason="r", now=LATER)
    publication_id = state_of(queued, "x-main").id
    assert (
        actions.cancel(queued, publication_id, reason="r", now=LATER).changes[0].account == "x-main"
    )


def test_pause_and_resume_campaign_and_account(queued: Sessions) -> None:
    actions.pause(queued, reason="statement under review", now=NOW, actor="ana")
    actions.pause(queued, reason="token expired", account="x-fr", now=NOW)
    with queued() as session:
        assert [h.scope for h in actions.active_holds(session, NOW)] == ["campaign", "account:x-fr"]
        hold = actions.hold_for(session, "x-main", NOW)
        assert hold is not None and hold.reason == "statement under review"
    actions.resume(queued, now=LATER)
    with queued() as session:
        assert actions.hold_for(session, "x-main", LATER) is None
        still = actions.hold_for(session, "x-fr", LATER)
        assert still is not None and still.scope == "account:x-fr"
    with pytest.raises(InvalidTransition, match="not paused"):
        actions.resume(queued, now=LATER)
    assert [e.action for e in audit(queued)] == ["pause", "pause", "resume"]
    with queued() as session:
        assert session.scalars(select(Hold.scope)).all() == ["account:x-fr"]


def test_platform_ids_from_public_urls() -> None:
    assert actions.platform_post_id_from_url("https://x.com/a/status/42") == "42"
    assert actions.platform_post_id_from_url("https://twitter.com/a/statuses/42?s=20") == "42"
    assert (
        actions.platform_post_id_from_url("https://www.facebook.com/120749411311458_987654321")
        == "120749411311458_987654321"
    )
    assert (
        actions.platform_post_id_from_url(
            "https://www.facebook.com/permalink.php?story_fbid=987&id=120749411311458"
        )
        == "120749411311458_987"
    )
    assert (
        actions.platform_post_id_from_url("https://www.facebook.com/120749411311458/posts/1015800")
        == "120749411311458_1015800"
    )
    assert actions.platform_post_id_from_url("https://example.org/post") is None


def test_resolve_published_without_a_claim_takes_the_post_content_hash(queued: Sessions) -> None:
    set_state(queued, "launch-en", "x-main", State.NEEDS_REVIEW)
    url = "https://x.com/banclusterbombs/status/1329000000000000002"
    actions.resolve(queued, "launch-en", published_url=url, reason="seen it", now=LATER)
    resolved = state_of(queued, "x-main")
    assert resolved.state == State.PUBLISHED
    assert resolved.published_hash == make_post().content_hash
    assert resolved.published_at == LATER  # no attempt: the resolve is the only evidence
