"""Finding posts by the id a person types: a post id or a message id.

A post file's ``id`` is the *message* id; a message written in several
languages becomes one post per language (``launch`` -> ``launch-en``,
``launch-fr``). People type either, so wherever a post id is expected the
commands accept a message id too and act on all its language versions. An id
that matches neither gets the close ids as suggestions.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from scheduler.errors import NotFoundError
from scheduler.storage.models import Post

SUGGESTIONS = 3


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
