"""The X publisher through the real tweepy against the X sandbox: what goes out,
how X's rules and limits surface, and how each failure is classified."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from scheduler.clock import FrozenClock
from scheduler.config import CampaignConfig
from scheduler.daemon.accounts import build_publisher
from scheduler.errors import AuthFailed, RateLimited, Rejected, TransientError, UnknownOutcome
from scheduler.platforms.base import MediaFile
from scheduler.platforms.x.publisher import XPublisher, normalise, snowflake_time
from scheduler.platforms.x.sandbox.credentials import x_user_id
from scheduler.platforms.x.sandbox.limits import XLimits
from scheduler.sandbox.app import Sandbox, build_sandbox, point_at_sandbox
from scheduler.sandbox.faults import Fault
from tests.platforms.conftest import PublisherFactory, gif_file, image_file


@pytest.fixture(autouse=True)
def _instant_processing(sandbox: Sandbox) -> None:
    """Media processing asks for no wait, so GIF tests do not sleep."""
    sandbox.x.media_check_after_s = 0


def test_verify_reports_the_account_and_write_access(publisher_for: PublisherFactory) -> None:
    identity = publisher_for("x-main").verify()
    assert identity.account_id == x_user_id("x-main")
    assert identity.username == "banclusterbombs"
    assert identity.can_write
    assert identity.token_expires_at is None
    assert "read-write" in identity.detail


def test_text_is_stored_the_way_x_rewrites_it(
    sandbox: Sandbox, publisher_for: PublisherFactory, clock: FrozenClock
) -> None:
    text = "108 States Parties & 13 signatories, see example.org #StopClusterBombsNow"
    post = publisher_for("x-main").create_post(text, link="https://www.clusterconvention.org/")
    [stored] = sandbox.x.posts("x-main")
    assert stored.submitted == f"{text}\nhttps://www.clusterconvention.org/"
    assert "&amp;" in stored.text and "&" not in stored.text.replace("&amp;", "")
    assert "example.org" not in stored.text and "clusterconvention" not in stored.text
    assert stored.text.count("https://t.co/") == 2
    assert post.text == stored.text
    assert post.platform_post_id == stored.id
    assert post.url == f"https://x.com/i/web/status/{stored.id}"
    assert post.created_at == snowflake_time(stored.id)
    assert post.created_at is not None
    assert abs((post.created_at - clock.now()).total_seconds()) < 0.001


def test_image_post_uses_the_simple_upload(
    sandbox: Sandbox, publisher_for: PublisherFactory, png: MediaFile
) -> None:
    publisher = publisher_for("x-main")
    media_id = publisher.upload_media(png)
    media = sandbox.x.state.media[media_id]
    assert (media.kind, media.state, media.width, media.height) == ("image", "succeeded", 120, 60)
    assert media.media_key == f"3_{media_id}"
    publisher.create_post("Join the Treaty #StopClusterBombsNow", [media_id])
    [stored] = sandbox.x.posts("x-main")
    assert stored.media_ids == (media_id,)
    assert stored.text.endswith(stored.text.rsplit(" ", 1)[-1]) and "https://t.co/" in stored.text
    assert sandbox.x.received["x.media_upload"] == 1
    assert sandbox.x.received["x.media_status"] == 0


def test_four_images_may_go_on_one_post(
    sandbox: Sandbox, publisher_for: PublisherFactory, tmp_path: Path
) -> None:
    publisher = publisher_for("x-fr")
    ids = [
        publisher.upload_media(image_file(tmp_path / f"{index}.png", colour=colour))
        for index, colour in enumerate(("red", "green", "blue", "white"))
    ]
    publisher.create_post("Rejoignez le traité #StopClusterBombsNow", ids)
    assert sandbox.x.posts("x-fr")[0].media_ids == tuple(ids)


def test_gif_goes_through_chunked_upload_and_processing(
    sandbox: Sandbox, publisher_for: PublisherFactory, tmp_path: Path
) -> None:
    publisher = publisher_for("x-main")
    media_id = publisher.upload_media(gif_file(tmp_path / "loop.gif"))
    media = sandbox.x.state.media[media_id]
    assert (media.kind, media.state, media.category) == ("gif", "succeeded", "tweet_gif")
    assert media.media_key.startswith("16_")
    assert sandbox.x.received["x.media_upload"] == 3  # initialize, append, finalize
    assert sandbox.x.received["x.media_status"] == 2  # pending -> in_progress -> succeeded
    publisher.create_post("A moving logo #StopClusterBombsNow", [media_id])
    assert sandbox.x.count("x-main") == 1


def test_large_files_are_appended_in_chunks(
    sandbox: Sandbox, publisher_for: PublisherFactory, tmp_path: Path
) -> None:
    video = tmp_path / "call.mp4"
    # An MP4 is recognised by its ftyp box; 2.5 MB means three 1 MB segments.
    video.write_bytes(b"\x00\x00\x00\x18ftypmp42" + b"\x00" * (2_500_000 - 12))
    media_id = publisher_for("x-main").upload_media(
        MediaFile(video, "video/mp4", video.stat().st_size)
    )
    media = sandbox.x.state.media[media_id]
    assert (media.kind, media.size, media.state) == ("video", 2_500_000, "succeeded")
    assert sandbox.x.received["x.media_upload"] == 5  # initialize, 3 x append, finalize


def test_failed_processing_is_a_rejection(
    sandbox: Sandbox, publisher_for: PublisherFactory, tmp_path: Path
) -> None:
    sandbox.faults.add(Fault("x.media_upload", "processing_failed"))
    with pytest.raises(Rejected) as caught:
        publisher_for("x-main").upload_media(gif_file(tmp_path / "broken.gif"))
    assert caught.value.platform_code == "InvalidMedia"


def test_failed_image_processing_is_a_rejection_too(
    sandbox: Sandbox, publisher_for: PublisherFactory, png: MediaFile
) -> None:
    sandbox.faults.add(Fault("x.media_upload", "processing_failed"))
    with pytest.raises(Rejected):
        publisher_for("x-main").upload_media(png)
    assert sandbox.x.received["x.media_status"] == 2


def test_a_file_that_is_not_an_image_is_rejected(
    publisher_for: PublisherFactory, tmp_path: Path
) -> None:
    fake = tmp_path / "logo.png"
    fake.write_text("not a picture")
    with pytest.raises(Rejected) as caught:
        publisher_for("x-main").upload_media(MediaFile(fake, "image/png", fake.stat().st_size))
    assert caught.value.http_status == 400
    assert caught.value.platform_message == "media type unrecognized."


@pytest.mark.parametrize(
    ("text", "fits"),
    [
        ("a" * 280, True),
        ("a" * 281, False),
        ("日" * 140, True),
        ("日" * 141, False),
        ("a" * 256 + " https://example.org/" + "x" * 100, True),  # a link counts 23
        ("😷" * 140, True),
        ("😷" * 141, False),
    ],
)
def test_weighted_length_decides(
    publisher_for: PublisherFactory, sandbox: Sandbox, text: str, fits: bool
) -> None:
    publisher = publisher_for("x-main")
    if fits:
        publisher.create_post(text)
        assert sandbox.x.count("x-main") == 1
        return
    with pytest.raises(Rejected) as caught:
        publisher.create_post(text)
    assert caught.value.platform_message.startswith("Your Tweet text is too long.")
    assert caught.value.platform_code == "invalid-request"


def test_media_must_exist_and_belong_to_the_account(
    publisher_for: PublisherFactory, png: MediaFile
) -> None:
    other_media = publisher_for("x-es").upload_media(png)
    publisher = publisher_for("x-main")
    for media_ids in (["1234567890"], [other_media]):
        with pytest.raises(Rejected) as caught:
            publisher.create_post("Media probe #StopClusterBombsNow", media_ids)
        assert caught.value.platform_message == "Your media IDs are invalid."


def test_expired_media_is_refused(
    publisher_for: PublisherFactory, png: MediaFile, clock: FrozenClock
) -> None:
    publisher = publisher_for("x-main")
    media_id = publisher.upload_media(png)
    clock.advance(86_400 + 1)
    with pytest.raises(Rejected):
        publisher.create_post("Too late #StopClusterBombsNow", [media_id])


@pytest.mark.parametrize("field", ["api_secret", "access_token_secret", "api_key"])
def test_a_wrong_secret_fails_not_only_a_wrong_key(
    campaign: CampaignConfig,
    publisher_for: PublisherFactory,
    environ: dict[str, str],
    field: str,
) -> None:
    variable = campaign.account("x-main").credentials[field]
    publisher = publisher_for("x-main", environ_override={**environ, variable: "wrong-value-1"})
    with pytest.raises(AuthFailed) as caught:
        publisher.verify()
    assert caught.value.http_status == 401


def test_a_read_only_app_may_not_post(sandbox: Sandbox, publisher_for: PublisherFactory) -> None:
    sandbox.x.account("x-main").access_level = "read"
    publisher = publisher_for("x-main")
    identity = publisher.verify()
    assert not identity.can_write
    assert "Read and write" in identity.detail
    with pytest.raises(AuthFailed) as caught:
        publisher.create_post("Read-only probe #StopClusterBombsNow")
    assert caught.value.platform_code == "oauth1-permissions"


@pytest.fixture
def tight_sandbox(campaign: CampaignConfig, clock: FrozenClock) -> Iterator[Sandbox]:
    limits = XLimits(create_15m=2, create_user_24h=3)
    with build_sandbox(campaign, clock, options={"x": {"limits": limits}}) as running:
        yield running


def _tight_publisher(
    tight_sandbox: Sandbox, campaign: CampaignConfig, environ: dict[str, str], clock: FrozenClock
) -> XPublisher:
    live = point_at_sandbox(campaign, tight_sandbox.url)
    publisher = build_publisher(live, live.account("x-main"), environ, clock)
    assert isinstance(publisher, XPublisher)
    return publisher


def test_the_15_minute_window_runs_on_the_clock(
    tight_sandbox: Sandbox, campaign: CampaignConfig, environ: dict[str, str], clock: FrozenClock
) -> None:
    publisher = _tight_publisher(tight_sandbox, campaign, environ, clock)
    opened = clock.now()
    publisher.create_post("one")
    publisher.create_post("two")
    with pytest.raises(RateLimited) as caught:
        publisher.create_post("three")
    assert caught.value.reset_at == opened + timedelta(minutes=15)
    clock.advance(15 * 60)
    publisher.create_post("three")
    assert tight_sandbox.x.count("x-main") == 3
    publisher.close()


def test_the_24_hour_cap_resets_a_day_after_it_opened(
    tight_sandbox: Sandbox, campaign: CampaignConfig, environ: dict[str, str], clock: FrozenClock
) -> None:
    publisher = _tight_publisher(tight_sandbox, campaign, environ, clock)
    opened = clock.now()
    for number in range(3):
        publisher.create_post(f"post {number}")
        clock.advance(16 * 60)
    with pytest.raises(RateLimited) as caught:
        publisher.create_post("post 3")
    assert caught.value.reset_at == opened + timedelta(hours=24)
    clock.set(opened + timedelta(hours=24))
    publisher.create_post("post 3")
    publisher.close()


def test_an_injected_24_hour_cap_points_at_its_reset(
    sandbox: Sandbox, publisher_for: PublisherFactory, clock: FrozenClock
) -> None:
    sandbox.faults.add(Fault("x.create_post", "cap_24h"))
    with pytest.raises(RateLimited) as caught:
        publisher_for("x-main").create_post("Capped #StopClusterBombsNow")
    assert caught.value.reset_at == clock.now() + timedelta(hours=24)


def test_spent_credits_pause_the_account(sandbox: Sandbox, publisher_for: PublisherFactory) -> None:
    sandbox.faults.add(Fault("x.create_post", "credits"))
    with pytest.raises(AuthFailed) as caught:
        publisher_for("x-main").create_post("Credits probe #StopClusterBombsNow")
    assert caught.value.http_status == 402
    assert caught.value.platform_code == "credits"
    assert "does not have any credits" in caught.value.platform_message


def test_an_html_502_on_create_is_an_unknown_outcome(
    sandbox: Sandbox, publisher_for: PublisherFactory
) -> None:
    sandbox.faults.add(Fault("x.create_post", "server_error", status=502))
    with pytest.raises(UnknownOutcome) as caught:
        publisher_for("x-main").create_post("Gateway probe #StopClusterBombsNow")
    assert caught.value.http_status == 502


def test_a_refused_connection_is_transient_even_on_create(
    campaign: CampaignConfig, environ: dict[str, str], clock: FrozenClock
) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    live = point_at_sandbox(campaign, f"http://127.0.0.1:{port}")
    publisher = build_publisher(live, live.account("x-main"), environ, clock)
    with pytest.raises(TransientError):
        publisher.create_post("Nobody listens #StopClusterBombsNow")


def test_find_post_follows_pages_to_an_older_post(
    sandbox: Sandbox, publisher_for: PublisherFactory, clock: FrozenClock
) -> None:
    publisher = publisher_for("x-es")
    started = clock.now()
    publisher.create_post("Apoyen los medios de vida & más: example.org #StopClusterBombsNow")
    account = sandbox.x.account("x-es")
    for number in range(120):  # more than one page of the timeline, within no rate limit
        clock.advance(1)
        sandbox.x.state.add_post(account, f"Post de relleno {number}", ())
    found = publisher.find_post(
        "Apoyen los medios de vida & más: example.org #StopClusterBombsNow",
        started,
        clock.now(),
    )
    assert found is not None
    assert found.platform_post_id == sandbox.x.posts("x-es")[0].id
    assert found.created_at == started
    # The newest five first (X bills each post read), then pages of 100: 5 + 100 + 16.
    assert sandbox.x.received["x.timeline"] == 3
    assert publisher.posts_read == 121


def test_normalise_undoes_what_x_does_to_text() -> None:
    sent = "A & B <3 see https://www.example.org/long/path?x=1 and example.com #Tag"
    shown = (
        "A &amp; B &lt;3 see https://t.co/abcdefghij and https://t.co/0123456789 #Tag "
        "https://t.co/media12345"
    )
    assert normalise(sent) == normalise(shown)
    assert normalise(sent) != normalise(shown.replace("#Tag", "#Other"))


def test_looking_for_a_post_reads_few_posts_and_counts_them(
    sandbox: Sandbox, publisher_for: PublisherFactory, clock: FrozenClock, live: CampaignConfig
) -> None:
    """X bills each post read back (Owned Reads): the first page asks for X's
    smallest, and the publisher counts what it read, which the profile prices."""
    from scheduler.platforms import registry

    publisher = publisher_for("x-main")
    start = clock.now()
    texts = [f"Post number {n} #StopClusterBombsNow" for n in range(12)]
    for text in texts:
        publisher.create_post(text)
        clock.advance(60)
    before = sandbox.x.billed()["owned_read"]
    # The newest is found on the first page of five.
    assert publisher.find_post(texts[-1], start, clock.now()) is not None
    assert publisher.posts_read == 5
    assert sandbox.x.billed()["owned_read"] - before == 5
    # The oldest takes the next (larger) page: 5 + 7, all the window holds.
    assert publisher.find_post(texts[0], start, clock.now()) is not None
    assert publisher.posts_read == 5 + 12
    assert sandbox.x.billed()["owned_read"] - before == 17
    cost = registry.profile("x").read_cost(live.platforms["x"], publisher.posts_read)
    assert [(price.operation, count) for price, count in cost] == [("owned_read", 17)]
