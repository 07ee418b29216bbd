"""A post's link card as written: ``link_card:`` with ``title``, ``description``
and ``thumbnail``, the card Bluesky shows for the post's link (its
``app.bsky.embed.external``), per post or per language version.

The thumbnail is one of the campaign's images (``logo``, a graphic's name or its
path under the media folder), checked against the limit of the external
embed's ``thumb`` blob: 1,000,000 bytes, ``image/*`` (lexicon
``app.bsky.embed.external``, ``external.thumb.maxSize``).
"""

from __future__ import annotations

from scheduler.content.messages import View
from scheduler.content.post_media import PostMedia
from scheduler.content.problems import FileProblems

# app.bsky.embed.external: external.thumb maxSize (bluesky-lexicons).
THUMBNAIL_MAX_BYTES = 1_000_000


def resolve_link_card(
    view: View,
    call: str | None,
    link: str | None,
    media: PostMedia,
    sink: FileProblems,
    post_id: str | None,
    shows_media: bool = False,
) -> dict[str, str] | None:
    """The card ``{title, description, thumbnail?}`` (thumbnail relative to the
    media folder), or None when the post writes none or it cannot be used.

    Problems go to ``sink`` at the card's place: a card without a link, an empty
    title, a thumbnail that is not one of the campaign's images, cannot be read
    as an image or is over the thumbnail limit. ``shows_media``: the post carries
    images or a video, which Bluesky shows instead of the card (a note).
    """
    value, path = view.fields.get("link_card", (None, view.base))
    if value is None:
        return None
    if not link:
        sink.error(
            "link-card",
            "`link_card:` describes the post's link, but the post has no `link:`",
            "add `link: https://...` to the post, or remove `link_card:`",
            path,
            key=True,
            post_id=post_id,
        )
        return None
    title = " ".join(value.title.split())
    if not title:
        sink.error(
            "link-card",
            "the link card's title is empty",
            "write the page's title under `link_card:` as `title: ...`",
            (*path, "title"),
            post_id=post_id,
        )
        return None
    card = {"title": title, "description": " ".join(value.description.split())}
    if value.thumbnail is not None and call is not None:
        thumbnail = _thumbnail(
            value.thumbnail, view, call, media, sink, (*path, "thumbnail"), post_id
        )
        if thumbnail is None:
            return None
        card["thumbnail"] = thumbnail
    if shows_media:
        sink.note(
            "link-card",
            "Bluesky shows this post's images or video, not its link card (a post "
            "embeds one thing); the card is kept with the post",
            "nothing to do if the images should show; the card shows on a post without them",
            path,
            key=True,
            post_id=post_id,
        )
    return card


def _thumbnail(
    entry: str,
    view: View,
    call: str,
    media: PostMedia,
    sink: FileProblems,
    path: tuple[str | int, ...],
    post_id: str | None,
) -> str | None:
    """The thumbnail's path inside the media folder, or None (reported)."""
    paths, issues = media.resolver.resolve(view.language, call, (entry,))
    for issue in issues:
        if issue.index == 0:
            sink.error(issue.rule, issue.message, issue.hint, path, post_id=post_id)
            return None
    relative = paths[1] if len(paths) > 1 else paths[0]
    info = media.images.inspect(media.resolver.absolute(relative))
    if info.format is None:
        sink.error(
            "link-card",
            f"the link card's thumbnail {relative} is not an image Bluesky can show "
            f"({info.error or 'unknown format'})",
            "use a JPEG or PNG image from the media folder",
            path,
            post_id=post_id,
        )
        return None
    if info.size_bytes > THUMBNAIL_MAX_BYTES:
        sink.error(
            "link-card",
            f"the link card's thumbnail {relative} is {info.size_bytes:,} bytes; Bluesky "
            f"takes at most {THUMBNAIL_MAX_BYTES:,}",
            "save a smaller copy (e.g. 1200 x 630 pixels, JPEG) and name that one",
            path,
            post_id=post_id,
        )
        return None
    return relative
