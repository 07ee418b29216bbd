"""The post format's fields that hold a mapping of their own: a post's ``video``
and its ``link_card``; the base every part of the format shares."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict


class Spec(BaseModel):
    """A part of the post format: unknown keys are errors; values never change."""

    model_config = ConfigDict(extra="forbid", frozen=True)


def _video_file(value: Any) -> Any:
    return {"file": value} if isinstance(value, str) else value


class VideoSpec(Spec):
    """A post's video: ``file`` inside the media folder (``video: <file>`` for short),
    ``title`` and ``alt`` (alt text or caption) for the platforms that take them."""

    file: str
    title: str | None = None
    alt: str | None = None


class LinkCardSpec(Spec):
    """The card shown for a post's link where a platform builds one (Bluesky's
    external embed): ``title``, ``description`` and ``thumbnail`` (``logo``, a
    graphic's name or its path inside the media folder)."""

    title: str
    description: str = ""
    thumbnail: str | None = None


Video = Annotated[VideoSpec, BeforeValidator(_video_file)]
