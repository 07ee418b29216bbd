"""The sandbox's test credentials, as each platform's stand-in derives them
from an account's label.

The sandbox accepts exactly these values; anything else fails the way the real
platform fails. ``sandbox_environment`` gives the environment variables a
rehearsal sets so the product's normal credential loading finds them.
"""

from __future__ import annotations

from scheduler.config import CampaignConfig
from scheduler.platforms import registry


def sandbox_credentials(platform: str, label: str) -> dict[str, str]:
    """Credential field -> value that the sandbox accepts for account ``label``.

    :raises ValueError: no platform has the key ``platform``.
    """
    profile = registry.find(platform)
    if profile is None:
        raise ValueError(f"unknown platform {platform!r}")
    return profile.sandbox_credentials(label)


def sandbox_environment(config: CampaignConfig) -> dict[str, str]:
    """Environment variable name -> sandbox value, for every configured account."""
    environment: dict[str, str] = {}
    for account in config.accounts:
        values = sandbox_credentials(account.platform, account.label)
        for field_name, variable in account.credentials.items():
            environment[variable] = values[field_name]
    return environment
