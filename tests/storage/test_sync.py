"""`campaign sync`'s rules, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from scheduler.config import CampaignConfig
from scheduler.errors import ConfigError
from scheduler.storage.models import Attempt, AuditEntry, Hold, Post, Publication
from scheduler.storage.models import PublicationState as State
from scheduler.storage.sync import sync_posts
from tests.storage.conftest import NOW, make_post, set_state

Sessions = sessionmaker[Session]
LATER = datetime(2020, 11, 21, 15, 30, tzinfo=UTC)


def snapshot(sessions: Sessions) -> list[tuple[Any, ...]]:
    """Every stored row, to prove that a second sync writes nothing."""
    with sessions() as session:
        rows: list[tuple[Any, ...]] = []
        for model in (Post, Publication, Attempt, AuditEntry, Hold):
            for item in session.scalars(select(model)):
                rows.append(
                    tuple(sorted((k, repr(v)) for k, v in vars(item).items() if k[0] != "_"))
                )
        return sorted(rows)


def publications(sessions: Sessions) -> dict[tuple[str, str], Publication]:
    with sessions() as session:
        return {(p.post_id, p.account_label): p for p in session.scalars(select(Publication))}


def post(sessions: Sessions, post_id: str) -> Post:
    with sessions() as session:
        found = session.get(Post, post_id)
        assert found is not None
        return found


@pytest.fixture
def published(sessions: Sessions, config: CampaignConfig) -> Sessions:
    """launch-en queued for x-main and facebook-main, and out on x-main."""
    sync_posts(sessions, [make_post()], config, now=NOW)
    set_state(
        sessions, "launch-en", "x-main", State.PUBLISHED, platform_url="https://x.com/a/status/1"
    )
    return sessions


def test_first_sync_queues_one_publication_per_target_and_a_second_changes_nothing(
    sessions: Sessions, config: CampaignConfig
) -> None:
    posts = [
        make_post(),
        make_post("second-fr", language="fr", text="Rejoignez", targets=("x-fr",)),
    ]
    diff = sync_posts(sessions, posts, config, now=NOW)
    assert diff.counts() == {
        "added": 3,
        "changed": 0,
        "cancelled": 0,
        "unchanged": 0,
        "conflicts": 0,
        "live": 0,
        "drafts": 0,
    }
    stored = publications(sessions)
    assert set(stored) == {
        ("launch-en", "x-main"),
        ("launch-en", "facebook-main"),
        ("second-fr", "x-fr"),
    }
    assert stored["launch-en", "facebook-main"].platform == "facebook"
    assert all(
        p.state == State.PENDING and p.next_attempt_at == p.scheduled_at for p in stored.values()
    )
    before = snapshot(sessions)

    again = sync_posts(sessions, posts, config, now=NOW + timedelta(hours=1))
    assert not again.writes
    assert len(again.unchanged) == 3
    assert snapshot(sessions) == before


def test_a_moved_time_moves_pending_publications(
    sessions: Sessions, config: CampaignConfig
) -> None:
    sync_posts(sessions, [make_post()], config, now=NOW)
    diff = sync_posts(sessions, [make_post(publish_at=LATER)], config, now=NOW)
    assert [entry.account for entry in diff.changed] == ["facebook-main", "x-main"] or len(
        diff.changed
    ) == 2
    assert "time 2020-11-20 09:00 UTC -> 2020-11-21 15:30 UTC" in diff.changed[0].detail
    for publication in publications(sessions).values():
        assert publication.scheduled_at == LATER
        assert publication.next_attempt_at == LATER
    assert post(sessions, "launch-en").publish_at == LATER


def test_a_retrying_publication_keeps_its_backoff_when_moved_earlier(
    sessions: Sessions, config: CampaignConfig
) -> None:
    sync_posts(sessions, [make_post(publish_at=LATER)], config, now=NOW)
    backoff_until = LATER + timedelta(minutes=5)
    set_state(sessions, "launch-en", "x-main", State.RETRYING, next_attempt_at=backoff_until)
    earlier = LATER - timedelta(hours=2)
    sync_posts(sessions, [make_post(publish_at=earlier)], config, now=NOW)
    stored = publications(sessions)["launch-en", "x-main"]
    assert stored.scheduled_at == earlier
    assert stored.next_attempt_at == backoff_until


def test_changed_text_bumps_the_revision(sessions: Sessions, config: CampaignConfig) -> None:
    sync_posts(sessions, [make_post()], config, now=NOW)
    diff = sync_posts(sessions, [make_post(text="Join now #StopClusterBombsNow")], config, now=NOW)
    assert {entry.detail for entry in diff.changed} == {"text (revision 2)"}
    stored = post(sessions, "launch-en")
    assert stored.revision == 2
    assert stored.texts["x"] == "Join now #StopClusterBombsNow"


def test_a_removed_file_cancels_what_has_not_gone_out_and_keeps_history(
    published: Sessions, config: CampaignConfig
) -> None:
    diff = sync_posts(published, [], config, now=NOW)
    assert [(e.account, e.detail) for e in diff.cancelled] == [("facebook-main", "file removed")]
    stored = publications(published)
    assert stored["launch-en", "x-main"].state == State.PUBLISHED
    assert stored["launch-en", "facebook-main"].state == State.CANCELLED
    assert stored["launch-en", "facebook-main"].cancel_source == "sync"
    assert post(published, "launch-en").removed_at == NOW
    assert not sync_posts(published, [], config, now=NOW).writes

    restored = sync_posts(published, [make_post()], config, now=NOW)
    assert [(e.account, e.detail) for e in restored.added] == [("facebook-main", "queued again")]
    stored = publications(published)
    assert stored["launch-en", "facebook-main"].state == State.PENDING
    assert stored["launch-en", "x-main"].state == State.PUBLISHED  # never published again
    assert post(published, "launch-en").removed_at is None


def test_editing_a_published_post_is_a_conflict_and_changes_nothing(
    published: Sessions, config: CampaignConfig
) -> None:
    edited = make_post(text="Edited after the fact #StopClusterBombsNow")
    diff = sync_posts(published, [edited], config, now=NOW)
    assert [(e.account, "edited after it was published" in e.detail) for e in diff.conflicts] == [
        ("x-main", True)
    ]
    assert "https://x.com/a/status/1" in diff.conflicts[0].detail
    stored = post(published, "launch-en")
    assert stored.texts["x"] == "Join the Treaty #StopClusterBombsNow"
    assert stored.revision == 1
    assert publications(published)["launch-en", "x-main"].state == State.PUBLISHED
    # Still a conflict the next time: the edit is never silently absorbed.
    assert len(sync_posts(published, [edited], config, now=NOW).conflicts) == 1


def test_a_moved_published_post_is_a_conflict_while_its_pending_sibling_moves(
    published: Sessions, config: CampaignConfig
) -> None:
    diff = sync_posts(published, [make_post(publish_at=LATER)], config, now=NOW)
    assert [e.account for e in diff.conflicts] == ["x-main"]
    assert [e.account for e in diff.changed] == ["facebook-main"]
    stored = publications(published)
    assert stored["launch-en", "facebook-main"].scheduled_at == LATER
    assert stored["launch-en", "x-main"].scheduled_at == make_post().publish_at
    assert not sync_posts(published, [make_post(publish_at=LATER)], config, now=NOW).writes


def test_a_renamed_id_with_published_content_is_a_conflict(
    published: Sessions, config: CampaignConfig
) -> None:
    diff = sync_posts(published, [make_post("launch-renamed-en")], config, now=NOW)
    assert [(e.post_id, e.account) for e in diff.conflicts] == [("launch-renamed-en", None)]
    assert "launch-en" in diff.conflicts[0].detail
    assert not diff.added
    assert ("launch-renamed-en", "x-main") not in publications(published)


def test_drafts_are_listed_not_queued(sessions: Sessions, config: CampaignConfig) -> None:
    diff = sync_posts(sessions, [make_post(status="draft")], config, now=NOW)
    assert [e.post_id for e in diff.drafts] == ["launch-en"]
    assert not publications(sessions)
    approved = sync_posts(sessions, [make_post()], config, now=NOW)
    assert len(approved.added) == 2
    back_to_draft = sync_posts(sessions, [make_post(status="draft")], config, now=NOW)
    assert {e.detail for e in back_to_draft.cancelled} == {"status draft"}
    assert [e.post_id for e in back_to_draft.drafts] == ["launch-en"]


def test_status_cancelled_cancels_and_an_operator_cancel_sticks(
    sessions: Sessions, config: CampaignConfig
) -> None:
    sync_posts(sessions, [make_post()], config, now=NOW)
    set_state(sessions, "launch-en", "x-main", State.CANCELLED, cancel_source="operator")
    diff = sync_posts(sessions, [make_post(status="cancelled")], config, now=NOW)
    assert [(e.account, e.detail) for e in diff.cancelled] == [
        ("facebook-main", "status cancelled")
    ]
    requeued = sync_posts(sessions, [make_post()], config, now=NOW)
    assert [e.account for e in requeued.added] == ["facebook-main"]
    assert publications(sessions)["launch-en", "x-main"].state == State.CANCELLED
    # Approved again: the diff says the operator's cancel stays, and how to lift it.
    assert [(e.account, e.detail) for e in requeued.changed] == [
        (
            "x-main",
            "cancelled by an operator, which sync keeps; "
            "`campaign retry launch-en --account x-main --reason ...` queues it again",
        )
    ]
    again = sync_posts(sessions, [make_post()], config, now=NOW)
    assert again.changed == []
    assert [e.account for e in again.unchanged if "campaign retry" in e.detail] == ["x-main"]


def test_a_dropped_target_is_cancelled_and_a_new_one_queued(
    sessions: Sessions, config: CampaignConfig
) -> None:
    sync_posts(sessions, [make_post()], config, now=NOW)
    diff = sync_posts(sessions, [make_post(targets=("x-main", "x-fr"))], config, now=NOW)
    assert [(e.account, e.detail) for e in diff.cancelled] == [
        ("facebook-main", "no longer targets this account")
    ]
    assert [e.account for e in diff.added] == ["x-fr"]


def test_a_claimed_publication_is_never_changed_by_sync(
    sessions: Sessions, config: CampaignConfig
) -> None:
    sync_posts(sessions, [make_post()], config, now=NOW)
    set_state(
        sessions, "launch-en", "x-main", State.PUBLISHING, claimed_by="daemon-1", claimed_revision=1
    )
    edited = sync_posts(sessions, [make_post(text="Edited #StopClusterBombsNow")], config, now=NOW)
    assert [e.account for e in edited.conflicts] == ["x-main"]
    assert post(sessions, "launch-en").revision == 1  # the claimed version stays the stored one
    removed = sync_posts(sessions, [], config, now=NOW)
    assert [e.account for e in removed.conflicts] == ["x-main"]
    assert "being published right now" in removed.conflicts[0].detail
    assert publications(sessions)["launch-en", "x-main"].state == State.PUBLISHING


def test_a_dry_run_reports_the_same_diff_and_writes_nothing(
    sessions: Sessions, config: CampaignConfig
) -> None:
    sync_posts(sessions, [make_post()], config, now=NOW)
    before = snapshot(sessions)
    posts = [make_post(publish_at=LATER), make_post("other-en", text="Other")]
    rehearsal = sync_posts(sessions, posts, config, now=NOW, dry_run=True)
    assert rehearsal.dry_run
    assert snapshot(sessions) == before
    real = sync_posts(sessions, posts, config, now=NOW)
    assert rehearsal.counts() == real.counts() == {
        "added": 2, "changed": 2, "cancelled": 0, "unchanged": 0, "conflicts": 0, "live": 0,
        "drafts": 0,
    }  # fmt: skip


def test_an_unknown_account_writes_nothing(sessions: Sessions, config: CampaignConfig) -> None:
    posts = [make_post("fine-en"), make_post("bad-en", text="Bad", targets=("x-nowhere",))]
    with pytest.raises(ConfigError, match="x-nowhere"):
        sync_posts(sessions, posts, config, now=NOW)
    assert not publications(sessions)


def test_stored_times_are_aware_utc(sessions: Sessions, config: CampaignConfig) -> None:
    from zoneinfo import ZoneInfo

    local = datetime(
        2020, 10, 25, 2, 30, tzinfo=ZoneInfo("Europe/Zurich"), fold=1
    )  # after the DST change
    sync_posts(sessions, [make_post(publish_at=local)], config, now=NOW)
    stored = post(sessions, "launch-en")
    assert stored.publish_at.tzinfo == UTC
    assert stored.publish_at.timestamp() == local.timestamp()
    assert not sync_posts(sessions, [make_post(publish_at=local)], config, now=NOW).writes
    assert stored.publish_at.hour == 1
    assert stored.created_at == NOW


def test_a_text_that_differs_only_in_unicode_form_is_unchanged_even_once_published(
    sessions: Sessions, config: CampaignConfig
) -> None:
    """An editor that saves "é" as "e" and a combining accent writes the same post:
    the check stores NFC, and sync sees no change and no conflict on a published post."""
    import unicodedata

    from scheduler.content.text import final_text

    composed = "Rejoignez le traité, États ! #StopClusterBombsNow"
    decomposed = unicodedata.normalize("NFD", composed)
    assert composed != decomposed
    first = make_post("nfc-fr", language="fr", text=final_text(composed, None), targets=("x-fr",))
    again = make_post("nfc-fr", language="fr", text=final_text(decomposed, None), targets=("x-fr",))
    assert again.texts == first.texts and again.content_hash == first.content_hash
    sync_posts(sessions, [first], config, now=NOW)
    set_state(sessions, "nfc-fr", "x-fr", State.PUBLISHED)
    diff = sync_posts(sessions, [again], config, now=NOW)
    assert diff.counts()["conflicts"] == 0 and diff.counts()["changed"] == 0
