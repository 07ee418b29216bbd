"""Which URLs handed back by a platform the product shows as links.

A URL stored from a platform's answer (the permalink of a post found during
reconciliation, say) is outside text: shown as a link only when it is
``https`` on that platform's own hosts, which its profile lists
(:attr:`~scheduler.platforms.profile.PlatformProfile.link_hosts`). Anything
else (``javascript:``, ``http:``, another site, the sandbox's 127.0.0.1) is
shown as text.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from scheduler.platforms import registry


def platform_link(platform: str, url: str | None) -> str | None:
    """``url`` when it is an ``https`` link on ``platform``'s own hosts (no user
    name, no port but 443), else None (show it as text, if at all)."""
    if not url or any(character.isspace() or not character.isprintable() for character in url):
        return None
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return None
    if parts.scheme != "https" or parts.username is not None or port not in (None, 443):
        return None
    host = (parts.hostname or "").rstrip(".")
    profile = registry.find(platform)
    return url if profile is not None and host in profile.link_hosts else None
