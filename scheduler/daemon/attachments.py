"""What a publication attaches, as its publisher takes it: the post's images with
their alt texts, or its one video with its title and alt text; and the media id
of each, from a video uploaded ahead (:mod:`~scheduler.daemon.video_lead`) or
uploaded now.
"""

from __future__ import annotations

import functools
import logging
import mimetypes
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from scheduler.config import CampaignConfig
from scheduler.platforms.base import MediaFile, Publisher
from scheduler.platforms.values import LinkCard
from scheduler.storage.attempts import Claim

logger = logging.getLogger(__name__)

Ahead = Callable[[int, MediaFile, datetime], str | None]


@functools.lru_cache(maxsize=1024)
def _located(base: Path, directory: str, relative: str) -> tuple[Path, str]:
    # Resolving a path costs a system call per component: once per file is enough.
    path = (base / directory / relative).resolve()
    return path, mimetypes.guess_type(path.name)[0] or "application/octet-stream"


def media_file(
    config: CampaignConfig, relative: str, alt_text: str = "", title: str = ""
) -> MediaFile:
    """The file ``relative`` (inside the media folder) as a publisher takes it.

    :raises OSError: the file cannot be read.
    """
    path, mime_type = _located(config.base_dir, config.media.directory, relative)
    return MediaFile(path, mime_type, path.stat().st_size, alt_text, title)


def attachments(config: CampaignConfig, held: Claim) -> list[MediaFile]:
    """What the post attaches: its one video, or its images with their alt texts.

    :raises OSError: a file cannot be read.
    """
    if held.video is not None:
        video = held.video
        alt, title = video.get("alt") or "", video.get("title") or ""
        return [media_file(config, str(video["path"]), alt, title)]
    return [media_file(config, path, held.alt_text(index)) for index, path in enumerate(held.media)]


def uploaded(
    publisher: Publisher, media: MediaFile, ahead: Ahead | None, publication_id: int, now: datetime
) -> str:
    """The media id of ``media``: the one uploaded ahead for ``publication_id`` when
    ``ahead`` still has it for this file at ``now``, else uploaded now.

    :raises PublishError: the upload failed.
    """
    if ahead is not None:
        media_id = ahead(publication_id, media, now)
        if media_id is not None:
            return media_id
    return publisher.upload_media(media)


def link_card(config: CampaignConfig, held: Claim) -> LinkCard | None:
    """The stored card of ``held``'s link, its thumbnail as a file to upload
    (None: the post has no card). A thumbnail that cannot be read is left out
    (logged): the card still shows its title and description."""
    card = held.link_card
    if not card or not held.link:
        return None
    thumbnail = None
    if card.get("thumbnail"):
        try:
            thumbnail = media_file(config, str(card["thumbnail"]))
        except OSError as error:
            logger.warning("post %s: link card without its thumbnail: %s", held.post_id, error)
    return LinkCard(str(card.get("title") or ""), str(card.get("description") or ""), thumbnail)
