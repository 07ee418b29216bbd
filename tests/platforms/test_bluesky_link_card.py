"""Bluesky's link card (``app.bsky.embed.external``) built from the stored card:
title, description and the thumbnail uploaded as a blob, over HTTP against the
stand-in, which checks the record against the lexicon and its blobs."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from PIL import Image

from scheduler.clock import FrozenClock
from scheduler.config import CampaignConfig
from scheduler.daemon.accounts import build_publisher
from scheduler.errors import Rejected
from scheduler.platforms.base import MediaFile, PostRequest
from scheduler.platforms.bluesky.sandbox.api import BlueskySandbox
from scheduler.platforms.values import LinkCard
from scheduler.sandbox.app import Sandbox
from tests.platforms.conftest import image_file

LABEL = "bluesky-main"
LINK = "https://www.stopclustermunitions.org/en-gb/"


@pytest.fixture
def stand_in(sandbox: Sandbox) -> BlueskySandbox:
    found = sandbox["bluesky"]
    assert isinstance(found, BlueskySandbox)
    return found


def _record(stand_in: BlueskySandbox, post_id: str) -> dict[str, object]:
    record = stand_in.record(LABEL, post_id.rsplit("/", 1)[1])
    assert record is not None
    return record


def test_the_stored_card_is_sent_with_its_thumbnail_as_a_blob(
    live: CampaignConfig, environ: dict[str, str], clock: FrozenClock, stand_in: BlueskySandbox,
    tmp_path: Path,
) -> None:  # fmt: skip
    publisher = build_publisher(live, live.account(LABEL), environ, clock, None)
    thumbnail = image_file(tmp_path / "card.png", (120, 63))
    card = LinkCard("Cluster Munition Coalition", "The treaty — et le traité", thumbnail)
    post = publisher.create_post(
        "Join the Treaty", [], LINK, request=PostRequest(key="k1", link_card=card)
    )
    external = _record(stand_in, post.platform_post_id)["embed"]["external"]  # type: ignore[index]
    assert external["uri"] == LINK
    assert external["title"] == "Cluster Munition Coalition"
    assert external["description"] == "The treaty — et le traité"
    thumb = external["thumb"]
    assert thumb["mimeType"] == "image/png" and thumb["size"] == thumbnail.size_bytes
    publisher.close()


@pytest.mark.parametrize(
    ("card", "title"),
    [(None, "www.stopclustermunitions.org"), (LinkCard("CMC", ""), "CMC")],
    ids=["no card: the site's name", "a card without a thumbnail"],
)
def test_a_card_without_a_thumbnail_has_no_thumb(
    live: CampaignConfig, environ: dict[str, str], clock: FrozenClock, stand_in: BlueskySandbox,
    card: LinkCard | None, title: str,
) -> None:  # fmt: skip
    publisher = build_publisher(live, live.account(LABEL), environ, clock, None)
    request = PostRequest(key=title, link_card=card)
    post = publisher.create_post("Join the Treaty", [], LINK, request=request)
    external = _record(stand_in, post.platform_post_id)["embed"]["external"]  # type: ignore[index]
    assert external == {"uri": LINK, "title": title, "description": ""}
    publisher.close()


def test_the_stand_in_refuses_a_thumbnail_over_the_lexicons_limit(
    live: CampaignConfig, environ: dict[str, str], clock: FrozenClock, tmp_path: Path,
) -> None:  # fmt: skip
    path = tmp_path / "heavy.png"
    Image.frombytes("RGB", (700, 700), os.urandom(700 * 700 * 3)).save(path, compress_level=1)
    assert path.stat().st_size > 1_000_000  # app.bsky.embed.external thumb maxSize
    publisher = build_publisher(live, live.account(LABEL), environ, clock, None)
    card = LinkCard("CMC", "", MediaFile(path, "image/png", path.stat().st_size))
    with pytest.raises(Rejected):
        publisher.create_post("Join", [], LINK, request=PostRequest(key="k4", link_card=card))
    publisher.close()
