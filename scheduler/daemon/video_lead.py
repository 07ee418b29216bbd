"""Videos uploaded ahead of their time, so the post still goes out on time.

A video can take minutes to upload and for the platform to process. Every
refresh, the daemon looks for queued video posts due within
``publishing.video_lead_min`` and uploads each one in the background (upload
and processing: ``Publisher.upload_media`` waits for both), keeping the media id
in memory with the file's fingerprint (size and modification time). At its
time, the publication uses that media id when it is still the same file and
still within the platform's media-id lifetime (its profile's
``MediaRules.media_id_lifetime_s``, X's 24 hours); otherwise (sync changed the
file, the id expired, the daemon restarted) it uploads again, as without a lead.

An upload that is never used is harmless: an uploaded file is invisible until
a post attaches it. Only platforms whose media ids have a documented lifetime
are uploaded ahead (X); others upload at the post's time.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from scheduler.daemon.attachments import media_file
from scheduler.daemon.worker import WorkerContext
from scheduler.errors import CampaignError, PublishError
from scheduler.platforms import registry
from scheduler.platforms.base import MediaFile
from scheduler.storage.daemon_state import videos_due

logger = logging.getLogger(__name__)

# Used this long before the id expires at the latest (campaign time): the create call
# must still find it valid.
EXPIRY_MARGIN = timedelta(minutes=10)
UPLOADS_AT_ONCE = 2


def fingerprint(path: Path) -> str:
    """What says a file is still the one uploaded: its size and modification time."""
    status = path.stat()
    return f"{status.st_size}:{status.st_mtime_ns}"


@dataclass(frozen=True)
class PreparedVideo:
    """An uploaded, processed video: its ``media_id``, the file's ``fingerprint``
    then, and when the id stops being usable (campaign time, aware UTC)."""

    media_id: str
    fingerprint: str
    usable_until: datetime


class VideoLead:
    """The daemon's videos uploaded ahead (by publication id), through the
    publishers of ``context``, ``lead_min`` minutes (campaign time) ahead; thread-safe.
    It registers itself as ``context.prepared_video``, which the jobs ask."""

    def __init__(self, context: WorkerContext, lead_min: float) -> None:
        self._context = context
        context.prepared_video = self.take
        self.lead = timedelta(minutes=lead_min)
        self._prepared: dict[int, PreparedVideo] = {}
        self._busy: set[int] = set()
        self._lock = threading.Lock()
        self._slots = threading.BoundedSemaphore(UPLOADS_AT_ONCE)
        self._threads: list[threading.Thread] = []

    def scan(self, now: datetime) -> None:
        """Start uploading the queued videos due within the lead that are not yet."""
        if self.lead <= timedelta(0):
            return
        for publication_id, label, platform, video in videos_due(
            self._context.sessions, now, now + self.lead
        ):
            lifetime = self._lifetime(platform)
            if lifetime is None:
                continue
            with self._lock:
                if publication_id in self._busy or publication_id in self._prepared:
                    continue
                self._busy.add(publication_id)
            # A daemon thread: a stopping daemon does not wait for an upload it may drop.
            thread = threading.Thread(
                target=self._upload,
                args=(publication_id, label, video, now + lifetime),
                name="campaign-video",
                daemon=True,
            )
            self._threads = [*(t for t in self._threads if t.is_alive()), thread]
            thread.start()

    def take(self, publication_id: int, media: MediaFile, now: datetime) -> str | None:
        """The media id uploaded ahead for ``publication_id`` when it is still ``media``'s
        file and usable at ``now``; None otherwise (then upload as usual)."""
        with self._lock:
            prepared = self._prepared.pop(publication_id, None)
        if prepared is None or now >= prepared.usable_until:
            return None
        try:
            current = fingerprint(media.path)
        except OSError:
            return None
        return prepared.media_id if current == prepared.fingerprint else None

    def wait(self) -> None:
        """Wait until the uploads under way have finished (tests)."""
        for thread in list(self._threads):
            thread.join()

    def _lifetime(self, platform: str) -> timedelta | None:
        profile = registry.find(platform)
        if profile is None:
            return None
        seconds = profile.media_rules(self._context.config.platforms[platform]).media_id_lifetime_s
        return None if seconds is None else timedelta(seconds=seconds) - EXPIRY_MARGIN

    def _upload(
        self, publication_id: int, label: str, video: dict[str, str], until: datetime
    ) -> None:
        try:
            self._slots.acquire()
            config = self._context.config
            media = media_file(
                config, video["path"], video.get("alt") or "", video.get("title") or ""
            )
            before = fingerprint(media.path)
            media_id = self._context.publishers.get(label).upload_media(media)
            prepared = PreparedVideo(media_id, before, until)
            with self._lock:
                self._prepared[publication_id] = prepared
            logger.info("publication %s: video %s uploaded ahead", publication_id, video["path"])
        except (PublishError, CampaignError, OSError) as error:
            logger.info(
                "publication %s: uploading its video ahead failed (%s); it is uploaded at its time",
                publication_id,
                error,
            )
        finally:
            self._slots.release()
            with self._lock:
                self._busy.discard(publication_id)
