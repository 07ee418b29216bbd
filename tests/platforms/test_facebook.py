"""The Facebook publisher through the real facebook-sdk, against the Graph sandbox."""

from __future__ import annotations

import io
import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import facebook
import pytest
from PIL import Image

from scheduler.clock import FrozenClock
from scheduler.config import CampaignConfig
from scheduler.errors import AuthFailed, Rejected, TransientError, UnknownOutcome
from scheduler.platforms.base import Credentials, MediaFile
from scheduler.platforms.facebook import FacebookPublisher
from scheduler.sandbox.credentials import sandbox_credentials
from scheduler.sandbox.faults import Fault, FaultPlan
from scheduler.sandbox.graph_api import GraphSandbox
from scheduler.sandbox.server import HTTPSandbox

START = datetime(2020, 11, 2, 8, 0, tzinfo=UTC)


def facebook_config(api_version: str = "v25.0") -> CampaignConfig:
    """Two Facebook Pages; ``fb-main`` has app credentials for debug_token."""
    page_credentials = {"page_access_token": "FB_MAIN_TOKEN"}
    return CampaignConfig.model_validate(
        {
            "campaign": {
                "name": "Test campaign",
                "hashtag": "#StopClusterBombsNow",
                "timezone": "Europe/Zurich",
                "conference": {"name": "2RevCon", "start": "2020-11-23", "end": "2020-11-27"},
                "window": {"start": "2020-10-24", "end": "2020-11-27"},
            },
            "languages": {"en": "English"},
            "calls": {"join-the-treaty": {"en": "Join the Treaty"}},
            "platforms": {"facebook": {"api_version": api_version}},
            "accounts": [
                {
                    "label": "fb-main",
                    "platform": "facebook",
                    "name": "Main Page",
                    "page_id": "111000111",
                    "languages": ["en"],
                    "credentials": {
                        **page_credentials,
                        "app_id": "FB_APP_ID",
                        "app_secret": "FB_APP_SECRET",
                    },
                },
                {
                    "label": "fb-other",
                    "platform": "facebook",
                    "name": "Other Page",
                    "page_id": "222000222",
                    "languages": ["en"],
                    "credentials": {"page_access_token": "FB_OTHER_TOKEN"},
                },
            ],
        }
    )


@dataclass
class GraphWorld:
    config: CampaignConfig
    clock: FrozenClock
    faults: FaultPlan
    sandbox: GraphSandbox
    url: str
    publisher: Callable[..., FacebookPublisher]


@pytest.fixture
def world() -> Iterator[GraphWorld]:
    config = facebook_config()
    clock = FrozenClock(START)
    faults = FaultPlan()
    sandbox = GraphSandbox(config, clock, faults)
    publishers: list[FacebookPublisher] = []
    with HTTPSandbox(sandbox.routes()) as server:

        def make(
            label: str = "fb-main", credentials: dict[str, str] | None = None, **settings: Any
        ) -> FacebookPublisher:
            values = {"api_base_url": server.url, "request_timeout_s": 5.0, **settings}
            publisher = FacebookPublisher(
                config.account(label),
                config.platforms.facebook.model_copy(update=values),
                Credentials(
                    sandbox_credentials("facebook", label) if credentials is None else credentials
                ),
                clock,
            )
            publishers.append(publisher)
            return publisher

        yield GraphWorld(config, clock, faults, sandbox, server.url, make)
        for publisher in publishers:
            publisher.close()


def photo(tmp_path: Path, name: str = "logo.png", color: str = "red") -> MediaFile:
    path = tmp_path / name
    Image.new("RGB", (64, 48), color).save(path)
    return MediaFile(path, "image/png", path.stat().st_size)


def test_text_post_goes_to_the_page_feed(world: GraphWorld) -> None:
    post = world.publisher().create_post("Join the Treaty #StopClusterBombsNow")
    [stored] = world.sandbox.posts("fb-main")
    assert post.platform_post_id == stored.post_id
    assert post.platform_post_id.startswith("111000111_")
    assert post.created_at == START == stored.created_time
    assert post.url == f"https://www.facebook.com/111000111/posts/{stored.post_id.split('_')[1]}"
    assert stored.message == "Join the Treaty #StopClusterBombsNow"
    assert stored.link is None and stored.photo_ids == ()
    assert [(r.method, r.path) for r in world.sandbox.received] == [
        ("POST", "/v25.0/111000111/feed")
    ]


def test_link_post_sends_the_link_field(world: GraphWorld) -> None:
    world.publisher().create_post("Read the call", link="https://example.org/call?a=1&b=2")
    [stored] = world.sandbox.posts("fb-main")
    assert stored.message == "Read the call"
    assert stored.link == "https://example.org/call?a=1&b=2"
    assert stored.status_type == "shared_story"


def test_single_photo_post_is_one_multipart_call(world: GraphWorld, tmp_path: Path) -> None:
    publisher = world.publisher()
    handle = publisher.upload_media(photo(tmp_path))
    assert world.sandbox.received == []  # uploading changes nothing on Facebook
    post = publisher.create_post("Sauvez des vies", [handle], link="https://example.org/fr")
    [stored] = world.sandbox.posts("fb-main")
    assert post.platform_post_id == stored.post_id
    assert stored.message == "Sauvez des vies\nhttps://example.org/fr"
    assert stored.status_type == "added_photos"
    [photo_id] = stored.photo_ids
    page = world.sandbox.page("fb-main")
    assert page.photos[photo_id].image.format == "PNG"
    assert page.photos[photo_id].image.width == 64
    assert [r.path for r in world.sandbox.received] == ["/v25.0/111000111/photos"]


def test_several_photos_are_attached_to_one_feed_post(world: GraphWorld, tmp_path: Path) -> None:
    publisher = world.publisher()
    handles = [
        publisher.upload_media(photo(tmp_path, f"image-{index}.png", color))
        for index, color in enumerate(("red", "green", "blue"))
    ]
    post = publisher.create_post("Three pictures", handles)
    [stored] = world.sandbox.posts("fb-main")
    assert post.platform_post_id == stored.post_id
    assert len(stored.photo_ids) == 3
    page = world.sandbox.page("fb-main")
    assert all(page.photos[photo_id].published for photo_id in stored.photo_ids)
    assert [r.path for r in world.sandbox.received] == [
        "/v25.0/111000111/photos",
        "/v25.0/111000111/photos",
        "/v25.0/111000111/photos",
        "/v25.0/111000111/feed",
    ]


def test_the_configured_version_is_what_goes_on_the_wire(world: GraphWorld) -> None:
    with pytest.raises(facebook.GraphAPIError, match="format"):
        facebook.GraphAPI(version="25.0")  # why the publisher sets graph.version itself
    publisher = world.publisher()
    publisher.verify()
    publisher.create_post("On the wire")
    publisher.find_post("On the wire", START - timedelta(hours=1), START + timedelta(hours=1))
    paths = [r.path for r in world.sandbox.received]
    assert len(paths) == 5
    assert all(path.startswith("/v25.0/") for path in paths)
    assert {r.served_version for r in world.sandbox.received} == {"v25.0"}
    older = world.publisher(api_version="v22.0")
    older.create_post("Another version")
    assert world.sandbox.received[-1].path == "/v22.0/111000111/feed"


def test_base_url_is_per_publisher_not_global(world: GraphWorld) -> None:
    other_sandbox = GraphSandbox(world.config, world.clock, FaultPlan())
    with HTTPSandbox(other_sandbox.routes()) as other:
        first = world.publisher()
        second = world.publisher(api_base_url=other.url)
        first.create_post("to the first sandbox")
        second.create_post("to the second sandbox")
    assert [p.message for p in world.sandbox.posts("fb-main")] == ["to the first sandbox"]
    assert [p.message for p in other_sandbox.posts("fb-main")] == ["to the second sandbox"]
    assert facebook.FACEBOOK_GRAPH_URL == "https://graph.facebook.com/"


def test_verify_reports_the_page_its_permissions_and_expiry(world: GraphWorld) -> None:
    identity = world.publisher().verify()
    assert (identity.account_id, identity.name) == ("111000111", "Main Page")
    assert identity.can_write and identity.token_expires_at is None
    expiry = START + timedelta(days=20)
    world.sandbox.page("fb-main").token_expires_at = expiry
    assert world.publisher().verify().token_expires_at == expiry.replace(microsecond=0)


def test_verify_flags_a_token_without_publishing_permission(world: GraphWorld) -> None:
    world.sandbox.page("fb-main").scopes = ["pages_show_list", "pages_read_engagement"]
    identity = world.publisher().verify()
    assert not identity.can_write
    assert "pages_manage_posts" in identity.detail


def test_verify_flags_the_token_of_another_page(world: GraphWorld) -> None:
    other_token = sandbox_credentials("facebook", "fb-other")["page_access_token"]
    main = sandbox_credentials("facebook", "fb-main")
    identity = world.publisher(credentials={**main, "page_access_token": other_token}).verify()
    assert not identity.can_write
    assert "Other Page" in identity.detail and "111000111" in identity.detail


def test_verify_without_app_credentials_says_permissions_were_not_checked(
    world: GraphWorld,
) -> None:
    token = sandbox_credentials("facebook", "fb-other")["page_access_token"]
    identity = world.publisher("fb-other", credentials={"page_access_token": token}).verify()
    assert identity.can_write and "not checked" in identity.detail
    assert [r.endpoint for r in world.sandbox.received] == ["facebook.me", "facebook.me"]


def test_debug_token_faults_reach_the_inspected_account(world: GraphWorld) -> None:
    world.faults.add(Fault("facebook.debug_token", "server_error", account="fb-main"))
    with pytest.raises(TransientError):
        world.publisher().verify()


@pytest.mark.parametrize(
    ("credentials", "message"),
    [
        ({"page_access_token": "not-a-token"}, "Cannot parse access token"),
        (
            {**sandbox_credentials("facebook", "fb-main"), "app_secret": "wrong-secret"},
            "signature",
        ),
        ({}, "no Page access token"),
    ],
)
def test_verify_fails_with_wrong_credentials(
    world: GraphWorld, credentials: dict[str, str], message: str
) -> None:
    with pytest.raises(AuthFailed, match=message):
        world.publisher(credentials=credentials).verify()


def test_find_post_matches_normalised_text_within_the_window(world: GraphWorld) -> None:
    publisher = world.publisher()
    created = publisher.create_post("Ensure  survivors'\nrights #StopClusterBombsNow")
    world.clock.advance(3600)
    publisher.create_post("A later post")
    window = (START - timedelta(minutes=5), START + timedelta(minutes=5))
    found = publisher.find_post("Ensure survivors' rights #StopClusterBombsNow", *window)
    assert found is not None
    assert found.platform_post_id == created.platform_post_id
    assert found.url == created.url
    assert found.created_at == START
    assert publisher.find_post("A later post", *window) is None
    assert publisher.find_post("Not posted at all", START, world.clock.now()) is None


def test_find_post_matches_a_photo_post_with_its_appended_link(
    world: GraphWorld, tmp_path: Path
) -> None:
    publisher = world.publisher()
    handle = publisher.upload_media(photo(tmp_path))
    created = publisher.create_post("With a link", [handle], link="https://example.org/a")
    found = publisher.find_post("With a link", START, START + timedelta(seconds=1))
    assert found is not None and found.platform_post_id == created.platform_post_id


def test_find_post_follows_paging_next(world: GraphWorld) -> None:
    page = world.sandbox.page("fb-main")
    for number in range(250):
        world.sandbox.state.add_post(page, f"post number {number}", None, world.clock.now())
        world.clock.advance(60)
    found = world.publisher().find_post("post number 3", START, world.clock.now())
    assert found is not None and found.text == "post number 3"
    reads = [r for r in world.sandbox.received if r.endpoint == "facebook.read"]
    assert len(reads) == 3  # 100 + 100 + 50, newest first


def test_reconciliation_finds_a_post_created_despite_an_error(world: GraphWorld) -> None:
    world.faults.add(Fault("facebook.feed", "error_after"))
    publisher = world.publisher()
    with pytest.raises(UnknownOutcome) as caught:
        publisher.create_post("Prevent future tragedies #StopClusterBombsNow")
    assert caught.value.platform_code == "2" and caught.value.http_status == 500
    [stored] = world.sandbox.posts("fb-main")
    found = publisher.find_post(
        "Prevent future tragedies #StopClusterBombsNow", START, START + timedelta(minutes=1)
    )
    assert found is not None and found.platform_post_id == stored.post_id


@pytest.mark.parametrize(("kind", "stored"), [("drop_after", 1), ("drop_before", 0)])
def test_dropped_connection_on_create_is_unknown_and_reconcilable(
    world: GraphWorld, kind: str, stored: int
) -> None:
    world.faults.add(Fault("facebook.feed", kind))
    publisher = world.publisher()
    with pytest.raises(UnknownOutcome):
        publisher.create_post("Dropped")
    assert world.sandbox.count("fb-main") == stored
    found = publisher.find_post("Dropped", START, START + timedelta(minutes=1))
    assert (found is not None) == bool(stored)


def test_slow_answer_past_the_timeout(world: GraphWorld) -> None:
    world.faults.add(Fault("facebook.feed", "slow", delay_s=1.0))
    world.faults.add(Fault("facebook.read", "slow", delay_s=1.0))
    publisher = world.publisher(request_timeout_s=0.25)
    with pytest.raises(UnknownOutcome, match=r"no answer within 0\.25 s"):
        publisher.create_post("Slow")
    with pytest.raises(TransientError):
        publisher.find_post("Slow", START, START + timedelta(minutes=1))


def test_upload_checks_the_file_locally(world: GraphWorld, tmp_path: Path) -> None:
    publisher = world.publisher()
    bitmap = tmp_path / "logo.bmp"
    Image.new("RGB", (8, 8)).save(bitmap)
    with pytest.raises(Rejected, match="JPG, PNG"):
        publisher.upload_media(MediaFile(bitmap, "image/bmp", bitmap.stat().st_size))
    big = tmp_path / "big.png"
    big.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(4 * 1024 * 1024))
    with pytest.raises(Rejected, match="under 4 MB"):
        publisher.upload_media(MediaFile(big, "image/png", big.stat().st_size))
    with pytest.raises(TransientError, match="upload it again"):
        publisher.create_post("Lost file", [(tmp_path / "gone.png").as_uri()])
    assert world.sandbox.received == []


def test_no_credential_reaches_the_logs(
    world: GraphWorld, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    credentials = sandbox_credentials("facebook", "fb-main")
    publisher = world.publisher()
    publisher.verify()
    publisher.create_post("Logged", [publisher.upload_media(photo(tmp_path))])
    publisher.find_post("Logged", START, START + timedelta(minutes=1))
    world.faults.add(Fault("facebook.read", "drop_before"))
    with pytest.raises(TransientError) as caught:
        publisher.find_post("Logged", START, START + timedelta(minutes=1))
    output = caplog.text + str(caught.value) + repr(publisher)
    assert "/v25.0/me?" in caplog.text  # urllib3 did log the URLs
    for secret in (credentials["page_access_token"], credentials["app_secret"]):
        assert secret not in output


def test_repr_shows_no_secret(world: GraphWorld) -> None:
    publisher = world.publisher()
    assert "page-token" not in repr(publisher)
    buffer = io.StringIO()
    print(publisher, file=buffer)
    assert "page-token" not in buffer.getvalue()
