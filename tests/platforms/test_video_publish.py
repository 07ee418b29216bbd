"""Video posts through the real client libraries against the stand-ins: X's
chunked upload with processing, Facebook's upload session, publishing call and
processing, and what each does when a step fails."""

from __future__ import annotations

import dataclasses
from datetime import timedelta

import pytest

from scheduler.errors import Rejected
from scheduler.platforms.base import MediaFile
from scheduler.sandbox.app import Sandbox
from scheduler.sandbox.faults import Fault
from tests.conftest import videos_script
from tests.platforms.conftest import START, GraphServer, PublisherFactory


@pytest.fixture(scope="module")
def clip(tmp_path_factory: pytest.TempPathFactory) -> MediaFile:
    path = videos_script().write_video(
        tmp_path_factory.mktemp("video") / "member-en.mp4", size=(320, 180), seconds=3
    )
    return MediaFile(path, "video/mp4", path.stat().st_size, title="Member video")


@pytest.fixture(autouse=True)
def _instant_processing(sandbox: Sandbox) -> None:
    sandbox.x.media_check_after_s = 0


def test_x_uploads_a_video_in_chunks_and_waits_for_processing(
    sandbox: Sandbox, publisher_for: PublisherFactory, clip: MediaFile
) -> None:
    publisher = publisher_for("x-main")
    publisher._media._chunk_bytes = 64 * 1024  # type: ignore[attr-defined]  # several segments
    media_id = publisher.upload_media(clip)
    media = sandbox.x.state.media[media_id]
    assert (media.kind, media.state, media.size) == ("video", "succeeded", clip.size_bytes)
    assert media.chunks == {} and len(media.head) <= 4096  # size and hash, not the bytes
    assert media.next_segment == -(-clip.size_bytes // (64 * 1024))
    assert sandbox.x.received["x.media_status"] >= 2  # pending -> in_progress -> succeeded
    assert sandbox.x.received.get("x.media_metadata", 0) == 0  # X: alt text on images only
    publisher.create_post("Watch and share #StopClusterBombsNow", [media_id])
    [stored] = sandbox.x.posts("x-main")
    assert stored.media_ids == (media_id,)


def test_x_processing_failure_is_a_rejection(
    sandbox: Sandbox, publisher_for: PublisherFactory, clip: MediaFile
) -> None:
    sandbox.faults.add(Fault("x.media_status", "processing_failed"))
    with pytest.raises(Rejected, match="could not process"):
        publisher_for("x-main").upload_media(clip)


def test_facebook_video_goes_through_the_upload_session_and_processing(
    graph: GraphServer, clip: MediaFile
) -> None:
    publisher = graph.publisher()
    handle = publisher.upload_media(clip)
    assert graph.sandbox.posts("fb-main") == []  # uploading publishes nothing
    [session] = graph.sandbox.state.uploads.values()
    assert session.offset == clip.size_bytes and session.handle is not None
    post = publisher.create_post("Regardez et partagez", [handle], link="https://example.org")
    [video] = graph.sandbox.state.videos.values()
    assert video.status == "ready" and video.title == "Member video"
    assert (
        post.platform_post_id == video.post_id != video.video_id
    )  # a video's id is not its post's
    [stored] = graph.sandbox.posts("fb-main")
    assert stored.status_type == "added_video"
    assert stored.message == "Regardez et partagez\nhttps://example.org"
    found = publisher.find_post(
        "Regardez et partagez\nhttps://example.org",
        START - timedelta(hours=1),
        START + timedelta(hours=1),
    )
    assert found is not None and found.platform_post_id == video.post_id


def test_facebook_resumes_a_broken_transfer_from_where_it_stood(
    graph: GraphServer, clip: MediaFile
) -> None:
    # The session opens; the transfer's answer is lost after the bytes arrived.
    graph.faults.add(Fault("facebook.video_upload", "drop_after", account="fb-main", after=1))
    publisher = graph.publisher()
    handle = publisher.upload_media(clip)
    publisher.create_post("Resumed", [handle])
    assert [video.size_bytes for video in graph.sandbox.state.videos.values()] == [clip.size_bytes]


def test_facebook_processing_failure_is_a_rejection(graph: GraphServer, clip: MediaFile) -> None:
    publisher = graph.publisher()
    handle = publisher.upload_media(clip)
    graph.faults.add(Fault("facebook.videos", "processing_failed"))
    with pytest.raises(Rejected, match="could not process"):
        publisher.create_post("Failed", [handle])
    assert graph.sandbox.posts("fb-main") == []


def test_facebook_video_needs_the_app_id(graph: GraphServer, clip: MediaFile) -> None:
    from scheduler.sandbox.credentials import sandbox_credentials

    credentials = dict(sandbox_credentials("facebook", "fb-main"))
    del credentials["app_id"]
    with pytest.raises(Rejected, match="add app_id"):
        graph.publisher(credentials=credentials).upload_media(clip)


def test_x_alt_text_is_not_sent_for_a_video(
    sandbox: Sandbox, publisher_for: PublisherFactory, clip: MediaFile
) -> None:
    publisher_for("x-main").upload_media(dataclasses.replace(clip, alt_text="A member speaks"))
    assert sandbox.x.received.get("x.media_metadata", 0) == 0


def test_a_lost_answer_to_the_video_publishing_call_is_reconciled_not_resent(
    graph: GraphServer, clip: MediaFile
) -> None:
    """The create call went through but its answer was lost: the outcome is unknown,
    and looking on the Page finds the video's post (by its text, not its video id)."""
    from scheduler.errors import UnknownOutcome

    publisher = graph.publisher()
    handle = publisher.upload_media(clip)
    graph.faults.add(Fault("facebook.videos", "drop_after"))
    with pytest.raises(UnknownOutcome):
        publisher.create_post("Lost answer", [handle])
    assert len(graph.sandbox.state.videos) == 1
    found = publisher.find_post(
        "Lost answer", START - timedelta(hours=1), START + timedelta(hours=1)
    )
    [video] = graph.sandbox.state.videos.values()
    assert found is not None and found.platform_post_id == video.post_id != video.video_id
    assert [r.endpoint for r in graph.sandbox.received].count("facebook.videos") == 1
