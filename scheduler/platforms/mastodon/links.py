"""Mastodon's post links and ids, kept apart so the profile loads no client library.

A status lives on its account's server at ``https://{server}/@{user}/{id}``,
and its id is opaque and only means something on that server
[platforms-2026.md 6.4, "IDs are opaque strings"]. The product's id of a
Mastodon post therefore names all three: ``{user}@{server}:{id}``
(``cmc@mastodon.social:113456789012345678``), from which the link and the
status id are read back without asking anyone.
"""

from __future__ import annotations

import ipaddress
import re
from urllib.parse import urlsplit

_STATUS_LINK = re.compile(r"^/@(?P<user>[A-Za-z0-9_]+)(?:@[^/]+)?/(?P<id>[A-Za-z0-9]+)/?$")
_USERS_LINK = re.compile(r"^/users/(?P<user>[A-Za-z0-9_]+)/statuses/(?P<id>[A-Za-z0-9]+)/?$")
_ACCOUNT = re.compile(r"^@?(?P<user>[A-Za-z0-9_]+)@(?P<server>[A-Za-z0-9.-]+\.[A-Za-z]{2,})$")


def account_parts(name: str) -> tuple[str, str] | None:
    """``("cmc", "mastodon.social")`` from ``@cmc@mastodon.social``; None when
    ``name`` is not a full Mastodon address."""
    match = _ACCOUNT.match(name.strip())
    return (match["user"], match["server"].lower()) if match else None


def post_id(user: str, server: str, status_id: str) -> str:
    """The product's id of status ``status_id`` of ``user`` on ``server``."""
    return f"{user}@{server}:{status_id}"


def status_id(platform_post_id: str) -> str:
    """The server's status id in a product id (a bare status id is returned as is)."""
    return platform_post_id.rsplit(":", 1)[-1]


def post_url(post_id: str) -> str:
    """``https://{server}/@{user}/{id}`` for ``{user}@{server}:{id}``."""
    account, _, number = post_id.rpartition(":")
    user, _, server = account.partition("@")
    return f"https://{server}/@{user}/{number}"


def post_id_from_url(url: str) -> str | None:
    """The product id read from a status link (``/@user/id`` or
    ``/users/user/statuses/id`` on any https host); None for anything else."""
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return None
    server = (parts.hostname or "").lower()
    if parts.scheme != "https" or "." not in server:
        return None
    match = _STATUS_LINK.match(parts.path) or _USERS_LINK.match(parts.path)
    return post_id(match["user"], server, match["id"]) if match else None


class AnyServer(frozenset[str]):
    """The hosts a Mastodon post may be on: any public server name (the
    dashboard links to them), never a bare IP address or a loopback name."""

    def __contains__(self, host: object) -> bool:
        if not isinstance(host, str) or "." not in host or host.endswith(".localhost"):
            return False
        try:
            ipaddress.ip_address(host.strip("[]"))
        except ValueError:
            return True
        return False


LINK_HOSTS = AnyServer()
