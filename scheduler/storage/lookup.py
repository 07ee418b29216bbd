"""Finding posts by the id a person types: a post id or a message id.

A post file's ``id`` is the *message* id; a message written in several
languages becomes one post per language (``launch`` -> ``launch-en``,
``launch-fr``). People type either, so wherever a post id is expected the
commands accept a message id too and act on all its language versions. An id
that matches neither gets the close ids as suggestions.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from scheduler.errors import NotFoundError
from scheduler.storage.models import MAX_ROW_NUMBER, Post, Publication

SUGGESTIONS = 3
# A publication number as the timeline and `campaign show` print it (46), or as
# `campaign history` prints a publication that ended without an attempt (p46).
PUBLICATION_NUMBER = re.compile(r"p?([0-9]+)")


@dataclass(frozen=True)
class PostTarget:
    """What an id names: ``post_ids`` in publish order (then id); ``message_id`` is
    set when the id was a message id (so the post ids are its language versions)."""

    identifier: str
    post_ids: tuple[str, ...]
    message_id: str | None = None

    @property
    def versions(self) -> str:
        """``launch-en, launch-fr, launch-es``: the posts, for messages to people."""
        return ", ".join(self.post_ids)


def find_posts(session: Session, identifier: str) -> PostTarget:
    """The post with id ``identifier``, else every language version of the message
    with that id.

    :raises NotFoundError: neither exists; its ``suggestions`` are close post or
        message ids.
    """
    if "\x00" in identifier:  # PostgreSQL refuses NUL in text; no id holds one
        raise NotFoundError("post", identifier.replace("\x00", "\\0"))
    if session.get(Post, identifier) is not None:
        return PostTarget(identifier, (identifier,))
    versions = session.scalars(
        select(Post.id).where(Post.message_id == identifier).order_by(Post.publish_at, Post.id)
    ).all()
    if versions:
        return PostTarget(identifier, tuple(versions), message_id=identifier)
    raise NotFoundError("post", identifier, suggestions=close_ids(session, identifier))


def close_ids(session: Session, identifier: str) -> tuple[str, ...]:
    """Up to :data:`SUGGESTIONS` post or message ids spelt like ``identifier``, closest
    first; a message and its language versions count once (the closest of them)."""
    message_of = {
        post: message for post, message in session.execute(select(Post.id, Post.message_id))
    }
    known = sorted(set(message_of) | set(message_of.values()))
    close = difflib.get_close_matches(identifier, known, n=SUGGESTIONS * 4, cutoff=0.6)
    families: dict[str, str] = {}
    for found in close:
        families.setdefault(message_of.get(found, found), found)
    return tuple(families.values())[:SUGGESTIONS]


def row_number(text: str) -> int | None:
    """``46`` -> 46: a database row number written in ASCII digits, or None (for
    anything else, and for a number above :data:`MAX_ROW_NUMBER`, which names no row)."""
    text = text.strip()
    if not text.isascii() or not text.isdigit() or len(text) > 19:
        return None
    number = int(text)
    return number if number <= MAX_ROW_NUMBER else None


def publication_number(identifier: str) -> int | None:
    """``46`` or ``p46`` -> 46; None for anything else (a post or message id, or a
    number too large to name a row)."""
    found = PUBLICATION_NUMBER.fullmatch(identifier.strip())
    return row_number(found.group(1)) if found else None


def post_of_publication(session: Session, identifier: str) -> str | None:
    """The post id of the publication ``identifier`` numbers (``46`` or ``p46``);
    None when it is not a publication number or names none."""
    number = publication_number(identifier)
    if number is None:
        return None
    return session.scalar(select(Publication.post_id).where(Publication.id == number))
