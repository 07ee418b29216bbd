"""The request a publication's create calls carry: one key per publication and
requeue, the post's language and its content warning."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta

from scheduler.daemon.attachments import link_card
from scheduler.daemon.reconcile import post_request
from scheduler.platforms.values import LinkCard
from scheduler.storage.attempts import Claim, open_attempt
from scheduler.storage.models import Post
from tests.daemon.conftest import WorkerWorld, resolved

AT = datetime(2020, 10, 24, 8, 0, tzinfo=UTC)


def _claim(**changes: object) -> Claim:
    claim = Claim(
        publication_id=7, attempt_id=1, worker_id="w", post_id="campaign-launch-fr",
        account_label="mastodon-main", platform="mastodon", revision=1, content_hash="h",
        text="Rejoignez le traité", media=(), link=None, scheduled_at=AT, claimed_at=AT,
        attempt_number=1, needs_reconcile=False, previous_last_post_at=None, language="fr",
    )  # fmt: skip
    return dataclasses.replace(claim, **changes)  # type: ignore[arg-type]


def test_every_try_of_a_publication_carries_the_same_key_and_its_language() -> None:
    first = post_request(_claim())
    later = post_request(_claim(attempt_id=9, attempt_number=3, claimed_at=AT + timedelta(hours=2)))
    assert first.key == later.key and first.language == "fr"
    assert first.key is not None and len(first.key) == 32


def test_a_requeue_another_publication_or_account_gets_another_key() -> None:
    keys = {
        post_request(_claim()).key,
        post_request(_claim(requeued_at=AT + timedelta(days=1))).key,
        post_request(_claim(requeued_at=AT + timedelta(days=2))).key,
        post_request(_claim(publication_id=8)).key,
        post_request(_claim(account_label="mastodon-fr")).key,
        post_request(_claim(post_id="campaign-launch-es")).key,
    }
    assert len(keys) == 6


def test_a_content_warning_is_stored_synced_and_sent_with_the_request(
    world: WorkerWorld,
) -> None:
    post = dataclasses.replace(
        resolved("survivors", AT), content_warning="Images of injured children", content_hash=""
    )
    (pid,) = world.queue.add(post)
    edited = dataclasses.replace(post, content_warning="Injured children", content_hash="")
    assert edited.content_hash != post.content_hash
    world.queue.add(edited)
    with world.sessions() as session:
        stored = session.get(Post, "survivors")
        assert stored is not None
        assert (stored.content_warning, stored.revision) == ("Injured children", 2)
        claim = open_attempt(
            session.connection(), pid, "w", AT, previous_last_post_at=None, new_claim=False
        )
    assert post_request(claim).content_warning == "Injured children"


def test_a_link_card_is_stored_synced_and_read_from_the_database_with_its_file(
    world: WorkerWorld,
) -> None:
    card = {"title": "Cluster Munition Coalition", "description": "The treaty"}
    post = dataclasses.replace(
        resolved("survivors", AT), link="https://www.stopclustermunitions.org/", content_hash=""
    )
    carded = dataclasses.replace(post, link_card=card, content_hash="")
    assert carded.content_hash != post.content_hash
    (pid,) = world.queue.add(post)
    world.queue.add(carded)
    with world.sessions() as session:
        stored = session.get(Post, "survivors")
        assert stored is not None
        assert (stored.link_card, stored.revision) == (card, 2)
        claim = open_attempt(
            session.connection(), pid, "w", AT, previous_last_post_at=None, new_claim=False
        )
    built = link_card(world.config, claim)
    assert built == LinkCard("Cluster Munition Coalition", "The treaty", None)
    with_file = dataclasses.replace(claim, link_card={**card, "thumbnail": claim.media[0]})
    thumbnail = link_card(world.config, with_file)
    assert thumbnail is not None and thumbnail.thumbnail is not None
    assert thumbnail.thumbnail.path.is_file() and thumbnail.thumbnail.mime_type == "image/png"
    missing = dataclasses.replace(claim, link_card={**card, "thumbnail": "graphics/gone.png"})
    assert link_card(world.config, missing) == built  # the card still goes, without the image
    assert link_card(world.config, dataclasses.replace(claim, link=None)) is None
