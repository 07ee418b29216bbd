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

Severity = Literal["error", "warning"]


@dataclass(frozen=True)
class ResolvedPost:
    """One post in one language, ready to queue.

    ``id`` is stable (``<message id>-<language>`` for language versions);
    ``publish_at`` is aware UTC; ``texts`` maps platform key (the registry's) to
    the exact text to publish there (hashtag included); ``media`` lists paths
    relative to the media directory, the logo first; ``targets`` are account
    labels; ``source_line`` is 1-based; ``status`` is draft, approved or cancelled.
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

    def __post_init__(self) -> None:
        if self.publish_at.tzinfo is None:
            raise ValueError("publish_at must be aware")
        if not self.content_hash:
            object.__setattr__(
                self, "content_hash", content_hash(self.texts, self.media, self.link)
            )


def content_hash(
    texts: dict[str, str], media: tuple[str, ...] | list[str], link: str | None
) -> str:
    """SHA-256 hex of what a reader sees (texts, media, link), independent of time and id.

    Two posts with the same hash would look the same on the platform; sync uses
    it to refuse publishing a renamed post twice. Texts count in Unicode NFC, so
    a text that differs only in its Unicode form has the same hash.
    """
    normal = {platform: unicodedata.normalize("NFC", text) for platform, text in texts.items()}
    payload = json.dumps(
        {"texts": normal, "media": list(media), "link": link}, sort_keys=True, ensure_ascii=False
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Problem:
    """One finding of ``campaign check``; ``line`` and ``column`` are 1-based.

    ``rule`` is a short stable name (``hashtag``, ``<platform>-length``, ``dst-gap``...).
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
