"""The Mastodon stand-in's entities: Account, Status and MediaAttachment as JSON
[mastodon-openapi.json; platforms-2026.md 6.1, 6.2], and a status's HTML."""

from __future__ import annotations

import html
import re
from typing import Any

from scheduler.platforms.mastodon.sandbox.state import AccountState, StoredMedia, StoredStatus
from scheduler.platforms.mastodon.text import LINK

_HASHTAG = re.compile(r"(?<![\w/])#(\w+)")


def iso(moment: Any) -> str:
    return str(moment.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z")


def account_entity(account: AccountState) -> dict[str, Any]:
    return {
        "id": account.account_id,
        "username": account.user,
        "acct": account.user,
        "display_name": account.label,
        "locked": False,
        "bot": False,
        "uri": f"https://{account.server}/users/{account.user}",
        "url": f"https://{account.server}/@{account.user}",
        "note": "",
        "avatar": f"https://{account.server}/avatars/original/missing.png",
        "avatar_static": f"https://{account.server}/avatars/original/missing.png",
        "header": f"https://{account.server}/headers/original/missing.png",
        "header_static": f"https://{account.server}/headers/original/missing.png",
        "group": False,
        "indexable": False,
        "followers_count": 0,
        "following_count": 0,
        "statuses_count": len(account.statuses),
        "created_at": "2020-01-01T00:00:00.000Z",
        "emojis": [],
        "fields": [],
    }


def media_entity(account: AccountState, media: StoredMedia) -> dict[str, Any]:
    processed = media.polls_left <= 0 and not media.failed
    base = f"https://{account.server}/system/media_attachments/{media.media_id}"
    return {
        "id": media.media_id,
        "type": media.kind,
        "url": f"{base}/original" if processed else None,
        "preview_url": f"{base}/small",
        "remote_url": None,
        "text_url": None,
        "meta": {},
        "description": media.description,
        "blurhash": None,
    }


def status_entity(account: AccountState, status: StoredStatus) -> dict[str, Any]:
    return {
        "id": status.status_id,
        "uri": f"https://{account.server}/users/{account.user}/statuses/{status.status_id}",
        "url": account.url(status.status_id),
        "created_at": iso(status.created_at),
        "account": account_entity(account),
        "content": status.content,
        "visibility": status.visibility,
        "sensitive": bool(status.spoiler_text),
        "spoiler_text": status.spoiler_text,
        "language": status.language,
        "media_attachments": [
            media_entity(account, account.media[key])
            for key in status.media_ids
            if key in account.media
        ],
        "mentions": [],
        "tags": [],
        "emojis": [],
        "reblogs_count": 0,
        "favourites_count": 0,
        "replies_count": 0,
        "in_reply_to_id": None,
        "in_reply_to_account_id": None,
        "reblog": None,
        "poll": None,
        "card": None,
        "application": {"name": "campaign-scheduler", "website": None},
    }


def render(text: str, server: str) -> str:
    """``text`` as the server renders a plain-text status: paragraphs, line breaks,
    links and hashtags as anchors, everything else escaped."""

    def paragraph(block: str) -> str:
        parts: list[str] = []
        position = 0
        for match in LINK.finditer(block):
            parts.append(_tags(html.escape(block[position : match.start()], quote=False), server))
            url = match.group(0)
            parts.append(
                f'<a href="{html.escape(url)}" rel="nofollow noopener" target="_blank">'
                f"{html.escape(url, quote=False)}</a>"
            )
            position = match.end()
        parts.append(_tags(html.escape(block[position:], quote=False), server))
        return "<p>" + "".join(parts).replace("\n", "<br />") + "</p>"

    return "".join(paragraph(block) for block in re.split(r"\n{2,}", text.strip()) if block)


def _tags(escaped: str, server: str) -> str:
    return _HASHTAG.sub(
        lambda m: (
            f'<a href="https://{server}/tags/{m.group(1).lower()}" class="mention hashtag" '
            f'rel="tag">#<span>{m.group(1)}</span></a>'
        ),
        escaped,
    )
