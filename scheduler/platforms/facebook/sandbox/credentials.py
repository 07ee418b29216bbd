"""The Graph stand-in's test credentials, derived from each account's label.

The stand-in accepts exactly these values; anything else is code 190, as on
Facebook. The app id and secret are one pair for the whole sandbox, as one app
publishes for every Page.
"""

from __future__ import annotations

APP_ID = "100000000000001"
APP_SECRET = "sandbox-app-secret"


def sandbox_credentials(label: str) -> dict[str, str]:
    """Credential field -> value that the stand-in accepts for account ``label``."""
    return {
        "page_access_token": f"sandbox-{label}-page-token",
        "app_id": APP_ID,
        "app_secret": APP_SECRET,
    }
