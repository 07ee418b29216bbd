"""Alt text reaches the platforms: X's media metadata call after the upload
(billed), Facebook's ``alt_text_custom`` on each Page photo, Mastodon's
``description`` on each upload (image or video); and the stand-ins refuse the
images and descriptions the platforms refuse."""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path

import pytest
import requests
from PIL import Image

from scheduler.errors import Rejected
from scheduler.platforms.base import MediaFile
from scheduler.platforms.mastodon.sandbox.api import MastodonSandbox
from scheduler.sandbox.app import Sandbox
from tests.platforms.conftest import GraphServer, PublisherFactory, image_file


def test_x_sends_the_alt_text_after_the_upload_and_bills_it(
    sandbox: Sandbox, publisher_for: PublisherFactory, png: MediaFile
) -> None:
    publisher = publisher_for("x-main")
    described = dataclasses.replace(png, alt_text="The campaign logo: Join the Treaty")
    media_id = publisher.upload_media(described)
    assert sandbox.x.state.media[media_id].alt_text == "The campaign logo: Join the Treaty"
    assert sandbox.x.received["x.media_metadata"] == 1
    assert sandbox.x.billed()["media_metadata"] == 1
    plain = publisher.upload_media(png)
    assert sandbox.x.state.media[plain].alt_text == ""
    assert sandbox.x.received["x.media_metadata"] == 1  # no alt text: no billed call


def test_x_cuts_alt_text_to_its_limit(
    sandbox: Sandbox, publisher_for: PublisherFactory, png: MediaFile
) -> None:
    publisher = publisher_for("x-main")
    media_id = publisher.upload_media(dataclasses.replace(png, alt_text="a" * 1500))
    assert len(sandbox.x.state.media[media_id].alt_text) == 1000


def test_the_x_stand_in_refuses_an_image_too_wide(
    tmp_path: Path, publisher_for: PublisherFactory
) -> None:
    """A 9000x300 PNG: X's largest image is 8192x8192 (the profile's limit)."""
    wide = image_file(tmp_path / "banner.png", size=(9000, 300))
    with pytest.raises(Rejected) as refused:
        publisher_for("x-main").upload_media(wide)
    assert "9000x300 exceed 8192x8192" in str(refused.value.platform_message)


def test_facebook_photos_carry_alt_text_custom(graph: GraphServer, tmp_path: Path) -> None:
    publisher = graph.publisher()
    first = image_file(tmp_path / "one.png", colour="red")
    second = image_file(tmp_path / "two.png", colour="blue")
    handles = [
        publisher.upload_media(dataclasses.replace(first, alt_text="Logo: Sauvez des vies")),
        publisher.upload_media(second),
    ]
    publisher.create_post("Deux images", handles)
    [stored] = graph.sandbox.posts("fb-main")
    page = graph.sandbox.page("fb-main")
    alts = [page.photos[photo_id].alt_text_custom for photo_id in stored.photo_ids]
    assert alts == ["Logo: Sauvez des vies", ""]
    single = publisher.upload_media(dataclasses.replace(first, alt_text="Un logo & 100 % ?"))
    publisher.create_post("Une image", [single])
    latest = graph.sandbox.posts("fb-main")[-1]
    assert page.photos[latest.photo_ids[0]].alt_text_custom == "Un logo & 100 % ?"


def test_facebook_refuses_a_photo_of_4_mb(graph: GraphServer, tmp_path: Path) -> None:
    """Facebook takes photos "less than 4 MB": the publisher and the stand-in agree."""
    path = tmp_path / "noise.png"
    Image.frombytes("RGB", (1300, 1100), os.urandom(1300 * 1100 * 3)).save(path)
    big = MediaFile(path, "image/png", path.stat().st_size)
    assert big.size_bytes >= 4_000_000
    with pytest.raises(Rejected, match="under 4 MB"):
        graph.publisher().upload_media(big)


def _mastodon(sandbox: Sandbox) -> MastodonSandbox:
    stand_in = sandbox["mastodon"]
    assert isinstance(stand_in, MastodonSandbox)
    return stand_in


def test_mastodon_uploads_carry_their_description(
    sandbox: Sandbox, publisher_for: PublisherFactory, png: MediaFile
) -> None:
    publisher = publisher_for("mastodon-main")
    text = "Le logo de la campagne : « Rejoignez le traité » 💣"
    described = publisher.upload_media(dataclasses.replace(png, alt_text=f"  {text} "))
    plain = publisher.upload_media(png)
    media = _mastodon(sandbox).account("mastodon-main").media
    assert media[described].description == text
    assert media[plain].description is None
    publisher.create_post("The logo #StopClusterBombsNow", [described, plain])
    [sent] = _mastodon(sandbox).sent("mastodon-main")  # what a rehearsal's receipts show
    assert [image.alt_text for image in sent.images] == [text, ""]


def test_mastodon_cuts_a_description_to_the_servers_limit_and_its_stand_in_refuses_more(
    sandbox: Sandbox, publisher_for: PublisherFactory, png: MediaFile
) -> None:
    publisher = publisher_for("mastodon-main")
    media_id = publisher.upload_media(dataclasses.replace(png, alt_text="é" * 1600))
    assert _mastodon(sandbox).account("mastodon-main").media[media_id].description == "é" * 1500
    answer = requests.post(
        f"{sandbox.url}/api/v2/media",
        headers={"Authorization": "Bearer sandbox-mastodon-main-mastodon-token"},
        files={"file": ("logo.png", png.path.read_bytes(), "image/png")},
        data={"description": "é" * 1501},
        timeout=5,
    )
    assert answer.status_code == 422
    assert answer.json() == {
        "error": "Validation failed: Description is too long (maximum is 1500 characters)"
    }
