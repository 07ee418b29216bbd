"""The Facebook publisher through the real facebook-sdk, against the Graph sandbox."""

from __future__ import annotations

import io
import logging
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import facebook
import pytest
from PIL import Image

from scheduler.errors import AuthFailed, Rejected, TransientError, UnknownOutcome
from scheduler.platforms.base import MediaFile
from scheduler.sandbox.credentials import sandbox_credentials
from scheduler.sandbox.faults import Fault
from tests.platforms.conftest import START, GraphServer, image_file


def photo(tmp_path: Path, name: str = "logo.png", color: str = "red") -> MediaFile:
    return image_file(tmp_path / name, (64, 48), color)


def test_text_post_goes_to_the_page_feed(graph: GraphServer) -> None:
    post = graph.publisher().create_post("Join the Treaty #StopClusterBombsNow")
    [stored] = graph.sandbox.posts("fb-main")
    assert post.platform_post_id == stored.post_id
    assert post.platform_post_id.startswith("111000111_")
    assert post.created_at == START == stored.created_time
    assert post.url == f"https://www.facebook.com/111000111/posts/{stored.post_id.split('_')[1]}"
    assert stored.message == "Join the Treaty #StopClusterBombsNow"
    assert stored.link is None and stored.photo_ids == ()
    assert [(r.method, r.path) for r in graph.sandbox.received] == [
        ("POST", "/v25.0/111000111/feed")
    ]


def test_link_post_sends_the_link_field(graph: GraphServer) -> None:
    graph.publisher().create_post("Read the call", link="https://example.org/call?a=1&b=2")
    [stored] = graph.sandbox.posts("fb-main")
    assert stored.message == "Read the call"
    assert stored.link == "https://example.org/call?a=1&b=2"
    assert stored.status_type == "shared_story"


def test_single_photo_post_is_one_multipart_call(graph: GraphServer, tmp_path: Path) -> None:
    publisher = graph.publisher()
    handle = publisher.upload_media(photo(tmp_path))
    assert graph.sandbox.received == []  # uploading changes nothing on Facebook
    post = publisher.create_post("Sauvez des vies", [handle], link="https://example.org/fr")
    [stored] = graph.sandbox.posts("fb-main")
    assert post.platform_post_id == stored.post_id
    assert stored.message == "Sauvez des vies\nhttps://example.org/fr"
    assert stored.status_type == "added_photos"
    [photo_id] = stored.photo_ids
    page = graph.sandbox.page("fb-main")
    assert page.photos[photo_id].image.format == "PNG"
    assert page.photos[photo_id].image.width == 64
    assert [r.path for r in graph.sandbox.received] == ["/v25.0/111000111/photos"]


def test_several_photos_are_attached_to_one_feed_post(graph: GraphServer, tmp_path: Path) -> None:
    publisher = graph.publisher()
    handles = [
        publisher.upload_media(photo(tmp_path, f"image-{index}.png", color))
        for index, color in enumerate(("red", "green", "blue"))
    ]
    post = publisher.create_post("Three pictures", handles)
    [stored] = graph.sandbox.posts("fb-main")
    assert post.platform_post_id == stored.post_id
    assert len(stored.photo_ids) == 3
    page = graph.sandbox.page("fb-main")
    assert all(page.photos[photo_id].published for photo_id in stored.photo_ids)
    assert [r.path for r in graph.sandbox.received] == [
        "/v25.0/111000111/photos",
        "/v25.0/111000111/photos",
        "/v25.0/111000111/photos",
        "/v25.0/111000111/feed",
    ]


def test_the_configured_version_is_what_goes_on_the_wire(graph: GraphServer) -> None:
    with pytest.raises(facebook.GraphAPIError, match="format"):
        facebook.GraphAPI(version="25.0")  # why the publisher sets graph.version itself
    publisher = graph.publisher()
    publisher.verify()
    publisher.create_post("On the wire")
    publisher.find_post("On the wire", START - timedelta(hours=1), START + timedelta(hours=1))
    paths = [r.path for r in graph.sandbox.received]
    assert len(paths) == 5
    assert all(path.startswith("/v25.0/") for path in paths)
    assert {r.served_version for r in graph.sandbox.received} == {"v25.0"}
    older = graph.publisher(api_version="v22.0")
    older.create_post("Another version")
    assert graph.sandbox.received[-1].path == "/v22.0/111000111/feed"


def test_base_url_is_per_publisher_not_global(
    graph: GraphServer, start_graph: Callable[..., GraphServer]
) -> None:
    other = start_graph()
    first = graph.publisher()
    second = graph.publisher(api_base_url=other.url)
    first.create_post("to the first sandbox")
    second.create_post("to the second sandbox")
    assert [p.message for p in graph.sandbox.posts("fb-main")] == ["to the first sandbox"]
    assert [p.message for p in other.sandbox.posts("fb-main")] == ["to the second sandbox"]
    assert facebook.FACEBOOK_GRAPH_URL == "https://graph.facebook.com/"


def test_verify_reports_the_page_its_permissions_and_expiry(graph: GraphServer) -> None:
    identity = graph.publisher().verify()
    assert (identity.account_id, identity.name) == ("111000111", "Main Page")
    assert identity.can_write and identity.token_expires_at is None
    expiry = START + timedelta(days=20)
    graph.sandbox.page("fb-main").token_expires_at = expiry
    assert graph.publisher().verify().token_expires_at == expiry.replace(microsecond=0)


def test_verify_flags_a_token_without_publishing_permission(graph: GraphServer) -> None:
    graph.sandbox.page("fb-main").scopes = ["pages_show_list", "pages_read_engagement"]
    identity = graph.publisher().verify()
    assert not identity.can_write
    assert "pages_manage_posts" in identity.detail


def test_verify_flags_the_token_of_another_page(graph: GraphServer) -> None:
    other_token = sandbox_credentials("facebook", "fb-other")["page_access_token"]
    main = sandbox_credentials("facebook", "fb-main")
    identity = graph.publisher(credentials={**main, "page_access_token": other_token}).verify()
    assert not identity.can_write
    assert "Other Page" in identity.detail and "111000111" in identity.detail


def test_verify_without_app_credentials_says_permissions_were_not_checked(
    graph: GraphServer,
) -> None:
    token = sandbox_credentials("facebook", "fb-other")["page_access_token"]
    identity = graph.publisher("fb-other", credentials={"page_access_token": token}).verify()
    assert identity.can_write and "not checked" in identity.detail
    assert [r.endpoint for r in graph.sandbox.received] == ["facebook.me", "facebook.me"]


def test_debug_token_faults_reach_the_inspected_account(graph: GraphServer) -> None:
    graph.faults.add(Fault("facebook.debug_token", "server_error", account="fb-main"))
    with pytest.raises(TransientError):
        graph.publisher().verify()


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
    graph: GraphServer, credentials: dict[str, str], message: str
) -> None:
    with pytest.raises(AuthFailed, match=message):
        graph.publisher(credentials=credentials).verify()


def test_find_post_matches_normalised_text_within_the_window(graph: GraphServer) -> None:
    publisher = graph.publisher()
    created = publisher.create_post("Ensure  survivors'\nrights #StopClusterBombsNow")
    graph.clock.advance(3600)
    publisher.create_post("A later post")
    window = (START - timedelta(minutes=5), START + timedelta(minutes=5))
    found = publisher.find_post("Ensure survivors' rights #StopClusterBombsNow", *window)
    assert found is not None
    assert found.platform_post_id == created.platform_post_id
    assert found.url == created.url
    assert found.created_at == START
    assert publisher.find_post("A later post", *window) is None
    assert publisher.find_post("Not posted at all", START, graph.clock.now()) is None


def test_find_post_matches_a_photo_post_with_its_appended_link(
    graph: GraphServer, tmp_path: Path
) -> None:
    publisher = graph.publisher()
    handle = publisher.upload_media(photo(tmp_path))
    created = publisher.create_post("With a link", [handle], link="https://example.org/a")
    found = publisher.find_post("With a link", START, START + timedelta(seconds=1))
    assert found is not None and found.platform_post_id == created.platform_post_id


def test_find_post_follows_paging_next(graph: GraphServer) -> None:
    page = graph.sandbox.page("fb-main")
    for number in range(250):
        graph.sandbox.state.add_post(page, f"post number {number}", None, graph.clock.now())
        graph.clock.advance(60)
    found = graph.publisher().find_post("post number 3", START, graph.clock.now())
    assert found is not None and found.text == "post number 3"
    reads = [r for r in graph.sandbox.received if r.endpoint == "facebook.read"]
    assert len(reads) == 3  # 100 + 100 + 50, newest first


def test_reconciliation_finds_a_post_created_despite_an_error(graph: GraphServer) -> None:
    graph.faults.add(Fault("facebook.feed", "error_after"))
    publisher = graph.publisher()
    with pytest.raises(UnknownOutcome) as caught:
        publisher.create_post("Prevent future tragedies #StopClusterBombsNow")
    assert caught.value.platform_code == "2" and caught.value.http_status == 500
    [stored] = graph.sandbox.posts("fb-main")
    found = publisher.find_post(
        "Prevent future tragedies #StopClusterBombsNow", START, START + timedelta(minutes=1)
    )
    assert found is not None and found.platform_post_id == stored.post_id


@pytest.mark.parametrize(("kind", "stored"), [("drop_after", 1), ("drop_before", 0)])
def test_dropped_connection_on_create_is_unknown_and_reconcilable(
    graph: GraphServer, kind: str, stored: int
) -> None:
    graph.faults.add(Fault("facebook.feed", kind))
    publisher = graph.publisher()
    with pytest.raises(UnknownOutcome):
        publisher.create_post("Dropped")
    assert graph.sandbox.count("fb-main") == stored
    found = publisher.find_post("Dropped", START, START + timedelta(minutes=1))
    assert (found is not None) == bool(stored)


def test_slow_answer_past_the_timeout(graph: GraphServer) -> None:
    graph.faults.add(Fault("facebook.feed", "slow", delay_s=1.0))
    graph.faults.add(Fault("facebook.read", "slow", delay_s=1.0))
    publisher = graph.publisher(request_timeout_s=0.25)
    with pytest.raises(UnknownOutcome, match=r"no answer within 0\.25 s"):
        publisher.create_post("Slow")
    with pytest.raises(TransientError):
        publisher.find_post("Slow", START, START + timedelta(minutes=1))


def test_upload_checks_the_file_locally(graph: GraphServer, tmp_path: Path) -> None:
    publisher = graph.publisher()
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
    assert graph.sandbox.received == []


def test_no_credential_reaches_the_logs(
    graph: GraphServer, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    credentials = sandbox_credentials("facebook", "fb-main")
    publisher = graph.publisher()
    publisher.verify()
    publisher.create_post("Logged", [publisher.upload_media(photo(tmp_path))])
    publisher.find_post("Logged", START, START + timedelta(minutes=1))
    graph.faults.add(Fault("facebook.read", "drop_before"))
    with pytest.raises(TransientError) as caught:
        publisher.find_post("Logged", START, START + timedelta(minutes=1))
    output = caplog.text + str(caught.value) + repr(publisher)
    assert "/v25.0/me?" in caplog.text  # urllib3 did log the URLs
    for secret in (credentials["page_access_token"], credentials["app_secret"]):
        assert secret not in output


def test_repr_shows_no_secret(graph: GraphServer) -> None:
    publisher = graph.publisher()
    assert "page-token" not in repr(publisher)
    buffer = io.StringIO()
    print(publisher, file=buffer)
    assert "page-token" not in buffer.getvalue()
