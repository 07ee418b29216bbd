"""Videos uploaded ahead of their time (``publishing.video_lead_min``), used at the
post's time when still the same file, uploaded again when sync changed it."""

from __future__ import annotations

import dataclasses
import os
from datetime import timedelta

from scheduler.content.resolved import PostVideo
from scheduler.daemon.video_lead import VideoLead
from scheduler.daemon.worker import publish
from scheduler.storage.models import PublicationState
from tests.daemon.conftest import T0, WorkerWorld, resolved

CLIP = "videos/clip.mp4"


def _video_post(world: WorkerWorld, post_id: str, at_min: float) -> int:
    clip = world.config.base_dir / world.config.media.directory / CLIP
    clip.parent.mkdir(parents=True, exist_ok=True)
    if not clip.exists():
        clip.write_bytes(b"\x00\x00\x00\x18ftypmp42" + bytes(2048))
    post = dataclasses.replace(
        resolved(post_id, T0 + timedelta(minutes=at_min), media=()),
        video=PostVideo(CLIP, "Member video"),
        content_hash="",
    )
    (pid,) = world.queue.add(post)
    return pid


def _uploads(world: WorkerWorld) -> int:
    return sum(1 for call in world.platform.calls if call[0] == "upload_media")


def test_a_video_is_uploaded_ahead_and_used_at_its_time(world: WorkerWorld) -> None:
    pid = _video_post(world, "member-video", at_min=20)
    context = world.context()
    lead = VideoLead(context, lead_min=30)
    lead.scan(T0)
    lead.wait()
    assert _uploads(world) == 1  # uploaded 20 minutes ahead
    world.clock.advance(timedelta(minutes=20).total_seconds())
    assert publish(context, pid).kind == "done"
    assert world.publication(pid).state == PublicationState.PUBLISHED
    assert _uploads(world) == 1  # the upload made ahead was used, not repeated
    [media] = world.platform.media.values()
    assert media.title == "Member video"


def test_a_video_beyond_the_lead_waits(world: WorkerWorld) -> None:
    _video_post(world, "later-video", at_min=90)
    lead = VideoLead(world.context(), lead_min=30)
    lead.scan(T0)
    lead.wait()
    assert _uploads(world) == 0


def test_a_video_changed_after_its_upload_is_uploaded_again(world: WorkerWorld) -> None:
    pid = _video_post(world, "changed-video", at_min=10)
    context = world.context()
    lead = VideoLead(context, lead_min=30)
    lead.scan(T0)
    lead.wait()
    clip = world.config.base_dir / world.config.media.directory / CLIP
    clip.write_bytes(clip.read_bytes() + b"re-exported")
    stat = clip.stat()
    os.utime(clip, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
    world.clock.advance(timedelta(minutes=10).total_seconds())
    assert publish(context, pid).kind == "done"
    assert _uploads(world) == 2  # the file sync now points at went up again
