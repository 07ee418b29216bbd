"""The shape every later stage consumes: one post, fully resolved and checked.

``campaign check`` turns files into :class:`ResolvedPost` objects; ``campaign
sync`` stores them. Nothing downstream reads YAML.
"""

from __future__ import annotations

import hashlib
import json
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

from scheduler.content.bill import PlanBill

Severity = Literal["error", "warning", "note"]


@dataclass(frozen=True)
class PostImage:
    """One image of a post: ``path`` relative to the media directory and its
    ``alt`` text in the post's language (empty when it has none)."""

    path: str
    alt: str = ""


@dataclass(frozen=True)
class PostVideo:
    """A post's one video: ``path`` relative to the media directory, an optional
    ``title`` (shown where a platform has one) and ``alt`` text or caption (sent
    where a platform takes one), in the post's language."""

    path: str
    title: str | None = None
    alt: str | None = None


@dataclass(frozen=True)
class ResolvedPost:
    """One post in one language, ready to queue.

    ``id`` is stable (``<message id>-<language>`` for language versions);
    ``publish_at`` is aware UTC; ``texts`` maps platform key (the registry's) to
    the exact text to publish there (hashtag included); ``media`` lists paths
    relative to the media directory, the logo first, and ``alt_texts`` their
    alt texts in the same order (empty string: none; :attr:`images` pairs them);
    ``video`` is the post's one video (then ``media`` is empty);
    ``content_warning`` the words shown before the text where a platform has
    them (None: none); ``link_card`` the card written for the link, ``{title,
    description, thumbnail?}`` (thumbnail relative to the media folder); ``targets`` are
    account labels; ``source_line`` is 1-based; ``status`` is draft, approved
    or cancelled.
    """

    id: str
    message_id: str
    call: str
    language: str
    status: str
    publish_at: datetime
    texts: dict[str, str]
    media: tuple[str, ...]
    link: str | None
    targets: tuple[str, ...]
    source_path: str
    source_line: int
    content_hash: str = field(default="")
    alt_texts: tuple[str, ...] = ()
    video: PostVideo | None = None
    content_warning: str | None = None
    link_card: dict[str, str] | None = None

    def __post_init__(self) -> None:
        if self.publish_at.tzinfo is None:
            raise ValueError("publish_at must be aware")
        if self.alt_texts and len(self.alt_texts) != len(self.media):
            raise ValueError("alt_texts must match media, one per image")
        if not self.content_hash:
            object.__setattr__(
                self,
                "content_hash",
                content_hash(
                    self.texts,
                    self.media,
                    self.link,
                    self.alt_texts,
                    self.video,
                    self.content_warning,
                    self.link_card,
                ),
            )

    @property
    def images(self) -> tuple[PostImage, ...]:
        """The images in order (logo first), each with its alt text."""
        alts = self.alt_texts or ("",) * len(self.media)
        return tuple(PostImage(path, alt) for path, alt in zip(self.media, alts, strict=True))


def content_hash(
    texts: dict[str, str],
    media: tuple[str, ...] | list[str],
    link: str | None,
    alt_texts: tuple[str, ...] | list[str] = (),
    video: PostVideo | None = None,
    content_warning: str | None = None,
    link_card: dict[str, str] | None = None,
) -> str:
    """SHA-256 hex of what a reader sees (texts, media and their alt texts, video,
    link, content warning), independent of time and id.

    Two posts with the same hash would look the same on the platform; sync uses
    it to refuse publishing a renamed post twice. Texts count in Unicode NFC, so
    a text that differs only in its Unicode form has the same hash. Alt texts,
    the video and the content warning count only when present, so a post without them keeps the
    hash it had before they existed.
    """
    normal = {platform: unicodedata.normalize("NFC", text) for platform, text in texts.items()}
    content: dict[str, object] = {"texts": normal, "media": list(media), "link": link}
    if any(alt_texts):
        content["alt"] = [unicodedata.normalize("NFC", alt) for alt in alt_texts]
    if video is not None:
        content["video"] = [video.path, video.title, video.alt]
    if content_warning:
        content["content_warning"] = unicodedata.normalize("NFC", content_warning)
    if link_card:
        content["link_card"] = {k: unicodedata.normalize("NFC", v) for k, v in link_card.items()}
    payload = json.dumps(content, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Problem:
    """One finding of ``campaign check``; ``line`` and ``column`` are 1-based.

    ``rule`` is a short stable name (``hashtag``, ``<platform>-length``, ``dst-gap``...).
    A ``note`` is a remark on one post that never changes the verdict, even
    with ``--strict`` (a transparent PNG; a video post without its logo).
    """

    severity: Severity
    path: str
    line: int
    column: int
    message: str
    hint: str | None = None
    rule: str = ""
    post_id: str | None = None

    def __str__(self) -> str:
        text = f"{self.path}:{self.line}:{self.column}: {self.severity}: {self.message}"
        return text + (f"\n  fix: {self.hint}" if self.hint else "")


@dataclass
class CheckReport:
    """Everything ``campaign check`` found: the posts it could resolve and the problems.

    ``notes`` are remarks about the whole run that are neither errors nor
    warnings, so they never change the verdict, even with ``--strict`` (for
    example: the campaign window has ended, so nothing here will be published).
    ``bill`` is what the approved posts would cost on the platforms that bill
    per request (None until the rules ran).
    """

    posts: list[ResolvedPost] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    files_checked: int = 0
    notes: list[str] = field(default_factory=list)
    bill: PlanBill | None = None

    @property
    def errors(self) -> list[Problem]:
        return [problem for problem in self.problems if problem.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [problem for problem in self.problems if problem.severity == "warning"]

    def ok(self, strict: bool = False) -> bool:
        """True when there are no errors (and, with ``strict``, no warnings)."""
        return not self.errors and not (strict and self.warnings)
