"""The Mastodon stand-in's reads: who a token speaks for, and the server's instance.

``/api/v1/instance`` and ``/api/v2/instance`` are both served, with and
without a trailing slash: Mastodon.py asks for ``/api/v2/instance/`` and,
against a server without the v1 endpoint, its version lookup recursed
[platforms-2026.md 6.5]. The configuration states the stand-in's limits
[platforms-2026.md 6.3].
"""

from __future__ import annotations

from typing import Any

from scheduler.platforms.mastodon.formats import SUPPORTED_TYPES
from scheduler.platforms.mastodon.sandbox.base import Call, MastodonStandIn
from scheduler.platforms.mastodon.sandbox.entities import account_entity
from scheduler.platforms.sandbox_server import Response

VERSION = "4.3.0"


def verify_credentials(sandbox: MastodonStandIn, call: Call) -> Response:
    entity = account_entity(call.account)
    entity["role"] = {
        "id": "-99",
        "name": "",
        "color": "",
        "permissions": "0",
        "highlighted": False,
    }
    entity["source"] = {
        "privacy": "public",
        "sensitive": False,
        "language": None,
        "note": "",
        "fields": [],
        "follow_requests_count": 0,
        "indexable": False,
    }
    return Response(body=entity)


def configuration(sandbox: MastodonStandIn) -> dict[str, Any]:
    limits = sandbox.limits
    return {
        "urls": {"streaming": None},
        "accounts": {"max_featured_tags": 10, "max_pinned_statuses": 5},
        "polls": {
            "max_options": 4,
            "max_characters_per_option": 50,
            "min_expiration": 300,
            "max_expiration": 2_629_746,
        },
        "translation": {"enabled": False},
        "statuses": {
            "max_characters": limits.max_characters,
            "max_media_attachments": limits.max_media_attachments,
            "characters_reserved_per_url": limits.characters_reserved_per_url,
        },
        "media_attachments": {
            "supported_mime_types": sorted(SUPPORTED_TYPES),
            "description_limit": limits.description_limit,
            "image_size_limit": limits.image_size_limit,
            "image_matrix_limit": 33_177_600,
            "video_size_limit": limits.video_size_limit,
            "video_frame_rate_limit": 120,
            "video_matrix_limit": 8_294_400,
        },
    }


def instance_v2(sandbox: MastodonStandIn, call: Call) -> Response:
    return Response(
        body={
            "domain": call.account.server,
            "title": "Campaign sandbox",
            "version": VERSION,
            "source_url": "https://github.com/mastodon/mastodon",
            "description": "A local stand-in",
            "api_versions": {"mastodon": 2},
            "configuration": configuration(sandbox),
            "registrations": {"enabled": False, "approval_required": False, "message": None},
            "contact": {"email": "admin@example.org", "account": None},
            "rules": [],
            "icon": [],
            "languages": ["en", "fr", "es"],
            "thumbnail": {"url": f"https://{call.account.server}/packs/media/images/preview.png"},
            "usage": {"users": {"active_month": 1}},
        }
    )


def instance_v1(sandbox: MastodonStandIn, call: Call) -> Response:
    return Response(
        body={
            "uri": call.account.server,
            "title": "Campaign sandbox",
            "version": VERSION,
            "configuration": configuration(sandbox),
        }
    )
