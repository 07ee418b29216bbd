"""The X stand-in's test credentials, derived from each account's label.

The stand-in accepts exactly these values; anything else is a 401, as on X.
"""

from __future__ import annotations

import hashlib


def x_user_id(label: str) -> str:
    """A stable numeric X user id for the sandbox account ``label``."""
    return str(10**17 + int(hashlib.sha256(label.encode()).hexdigest()[:12], 16))


def sandbox_client_id(label: str) -> str:
    """The OAuth 2.0 client id the stand-in gives the app of account ``label``."""
    return f"sandbox-{label}-client-id"


def sandbox_credentials(label: str) -> dict[str, str]:
    """Credential field -> value that the stand-in accepts for account ``label``.

    The access token starts with the user id, as X's do (``<id>-<random>``).
    """
    return {
        "api_key": f"sandbox-{label}-api-key",
        "api_secret": f"sandbox-{label}-api-secret",
        "access_token": f"{x_user_id(label)}-sandbox-{label}-access-token",
        "access_token_secret": f"sandbox-{label}-access-token-secret",
        "bearer_token": f"sandbox-{label}-bearer-token",
        # OAuth 2.0 (auth: oauth2): the app's client; the stand-in's token
        # endpoint knows the account by its client id.
        "client_id": sandbox_client_id(label),
        "client_secret": f"sandbox-{label}-client-secret",
    }
