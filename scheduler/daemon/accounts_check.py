"""Account preflight: can every configured account publish for the whole campaign?

For each account of config.yaml: its credential variables are set, the
platform accepts them (``verify``), they may write, they speak for the account
config.yaml means (as its profile tells: a handle in ``name``, a ``page_id``), and
the token does not expire before the campaign window closes. ``campaign accounts
check`` prints the result; ``campaign preflight`` reuses it.

Only config.yaml and the environment decide where the checks go: the real
platforms, or the sandbox when the base URLs point at it.
"""

from __future__ import annotations

from collections.abc import Mapping

from scheduler.clock import Clock
from scheduler.config import Account, CampaignConfig
from scheduler.daemon.accounts import build_publisher
from scheduler.errors import ConfigError, PublishError
from scheduler.platforms import registry
from scheduler.platforms.base import AccountCheck


def check_account(
    config: CampaignConfig, account: Account, environ: Mapping[str, str], clock: Clock
) -> AccountCheck:
    """Check one account (module docstring). Never raises for a problem of the
    account: every problem is reported in ``problems``."""
    try:
        publisher = build_publisher(config, account, environ, clock)
    except ConfigError as error:
        return AccountCheck(account.label, account.platform, False, problems=(str(error),))
    try:
        identity = publisher.verify()
    except PublishError as error:
        hint = _HINTS.get(error.outcome, "")
        if error.outcome == "transient" and error.http_status is None:
            hint = ""  # no answer at all: the adapter's message already says what to check
        problem = f"{error}" + (f"; {hint}" if hint else "")
        return AccountCheck(account.label, account.platform, True, problems=(problem,))
    finally:
        publisher.close()
    problems: list[str] = []
    if not identity.can_write:
        problems.append(f"the credentials cannot post: {identity.detail}")
    profile = registry.profile(account.platform)
    problems.extend(profile.identity_problems(account, identity))
    expires = identity.token_expires_at
    window_end = config.campaign.window_end
    if expires is not None and expires < window_end:
        problems.append(
            f"the token expires {expires:%Y-%m-%d %H:%M} UTC, before the campaign ends "
            f"({window_end:%Y-%m-%d %H:%M %Z}); {profile.token_renewal}"
        )
    return AccountCheck(account.label, account.platform, True, identity, tuple(problems))


def check_accounts(
    config: CampaignConfig, environ: Mapping[str, str], clock: Clock
) -> list[AccountCheck]:
    """Check every account of ``config``, in config.yaml's order."""
    return [check_account(config, account, environ, clock) for account in config.accounts]


_HINTS = {
    "auth_failed": "check the values in the environment (or .env) against the developer portal",
    "transient": "the platform had a temporary failure; try again in a few minutes",
    "rate_limited": "try again after the reset time",
}
