"""Bluesky video through the video service: service auth, the upload, the job's
polls, then one record with ``app.bsky.embed.video``. The atproto SDK talks HTTP
to the stand-in; nothing of it is mocked."""

from __future__ import annotations

from typing import cast

import pytest

from scheduler.errors import Rejected, TransientError
from scheduler.platforms.base import MediaFile, PostRequest
from scheduler.platforms.bluesky.profile import BLUESKY_MEDIA
from scheduler.platforms.bluesky.sandbox.api import BlueskySandbox
from scheduler.sandbox.app import Sandbox
from scheduler.sandbox.faults import Fault
from tests.conftest import videos_script
from tests.platforms.conftest import PublisherFactory

LABEL = "bluesky-main"
ALT = "Campaign members speak to camera, one after another."


@pytest.fixture(scope="module")
def clip(tmp_path_factory: pytest.TempPathFactory) -> MediaFile:
    path = videos_script().write_video(
        tmp_path_factory.mktemp("video") / "member-en.mp4", size=(320, 180), seconds=3
    )
    return MediaFile(path, "video/mp4", path.stat().st_size, alt_text=ALT, title="Member video")


@pytest.fixture
def stand_in(sandbox: Sandbox) -> BlueskySandbox:
    return cast(BlueskySandbox, sandbox["bluesky"])  # the stand-in of platform "bluesky"


def test_a_video_post_embeds_the_processed_blob_with_alt_and_ratio(
    stand_in: BlueskySandbox, publisher_for: PublisherFactory, clip: MediaFile
) -> None:
    publisher = publisher_for(LABEL)
    media_id = publisher.upload_media(clip)
    [job] = stand_in.video.jobs.values()
    assert (job.size, job.polls_left) == (clip.size_bytes, 0)  # polled until done
    assert len(job.sha256) == 64  # size and hash kept, not the bytes
    post = publisher.create_post(
        "Watch and share #StopClusterBombsNow", [media_id], request=PostRequest(key="video-1")
    )
    record = stand_in.record(LABEL, post.platform_post_id.rsplit("/", 1)[1])
    assert record is not None
    embed = record["embed"]
    assert embed["$type"] == "app.bsky.embed.video"
    assert embed["alt"] == ALT
    assert embed["aspectRatio"] == {"width": 320, "height": 180}
    assert embed["video"]["mimeType"] == "video/mp4"
    assert embed["video"]["size"] == clip.size_bytes
    assert stand_in.count(LABEL) == 1


def test_a_failed_processing_job_is_a_clear_rejection_and_nothing_is_posted(
    sandbox: Sandbox, stand_in: BlueskySandbox, publisher_for: PublisherFactory, clip: MediaFile
) -> None:
    sandbox.faults.add(Fault("bluesky.video_job", "processing_failed"))
    with pytest.raises(Rejected, match=r"could not process member-en\.mp4.*encoding_failure"):
        publisher_for(LABEL).upload_media(clip)
    assert stand_in.count(LABEL) == 0


def test_processing_longer_than_our_timeout_is_transient(
    stand_in: BlueskySandbox, publisher_for: PublisherFactory, clip: MediaFile
) -> None:
    stand_in.video.video_polls = 10_000
    publisher = publisher_for(LABEL)
    publisher._video._settings = publisher._video._settings.model_copy(  # type: ignore[attr-defined]
        update={"video_processing_timeout_s": 3.0}
    )
    with pytest.raises(TransientError, match="video_processing_timeout_s"):
        publisher.upload_media(clip)


def test_a_failed_upload_may_be_sent_again(
    sandbox: Sandbox, stand_in: BlueskySandbox, publisher_for: PublisherFactory, clip: MediaFile
) -> None:
    sandbox.faults.add(Fault("bluesky.upload_video", "server_error"))
    publisher = publisher_for(LABEL)
    with pytest.raises(TransientError):
        publisher.upload_media(clip)
    assert publisher.upload_media(clip)
    assert len(stand_in.video.jobs) == 1


def test_a_record_naming_a_video_never_processed_is_refused(
    publisher_for: PublisherFactory,
) -> None:
    forged = (
        '{"app.bsky.embed.video":{"video":{"$type":"blob","ref":{"$link":"bafkreinone"},'
        '"mimeType":"video/mp4","size":10}}}'
    )
    with pytest.raises(Rejected):
        publisher_for(LABEL).create_post("text", [forged])


def test_the_profile_validates_video_for_bluesky() -> None:
    video = BLUESKY_MEDIA.video
    assert video is not None
    assert video.max_bytes == 300_000_000 and video.max_duration_s == 600.0
    assert video.takes_alt_text and "mp4" in video.extensions
