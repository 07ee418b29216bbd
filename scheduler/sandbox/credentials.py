"""The sandbox's test credentials, derived from each account's label.

The sandbox accepts exactly these values; anything else fails the way the real
platform fails (X: 401; Facebook: code 190). ``sandbox_environment`` gives the
environment variables a rehearsal sets so the product's normal credential
loading finds them.
"""

from __future__ import annotations

import hashlib

from scheduler.config import CampaignConfig


def x_user_id(label: str) -> str:
    """A stable numeric X user id for the sandbox account ``label``."""
    return str(10**17 + int(hashlib.sha256(label.encode()).hexdigest()[:12], 16))


def sandbox_credentials(platform: str, label: str) -> dict[str, str]:
    """Credential field -> value that the sandbox accepts for account ``label``."""
    if platform == "x":
        return {
            "api_key": f"sandbox-{label}-api-key",
            "api_secret": f"sandbox-{label}-api-secret",
            "access_token": f"{x_user_id(label)}-sandbox-{label}-access-token",
            "access_token_secret": f"sandbox-{label}-access-token-secret",
            "bearer_token": f"sandbox-{label}-bearer-token",
        }
    if platform == "facebook":
        return {
            "page_access_token": f"sandbox-{label}-page-token",
            "app_id": "100000000000001",
            "app_secret": "sandbox-app-secret",
        }
    raise ValueError(f"unknown platform {platform!r}")


def sandbox_environment(config: CampaignConfig) -> dict[str, str]:
    """Environment variable name -> sandbox value, for every configured account."""
    environment: dict[str, str] = {}
    for account in config.accounts:
        values = sandbox_credentials(account.platform, account.label)
        for field_name, variable in account.credentials.items():
            environment[variable] = values[field_name]
    return environment
