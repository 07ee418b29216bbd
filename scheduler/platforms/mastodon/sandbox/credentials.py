"""The Mastodon stand-in's test credentials, derived from each account's label.

The stand-in accepts exactly these tokens; anything else is a 401, as on a server.
"""

from __future__ import annotations


def sandbox_credentials(label: str) -> dict[str, str]:
    """Credential field -> value that the stand-in accepts for account ``label``."""
    return {"access_token": f"sandbox-{label}-mastodon-token"}
