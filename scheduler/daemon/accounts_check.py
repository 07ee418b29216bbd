"""Account preflight: can every configured account publish for the whole campaign?

For each account of config.yaml: its credential variables are set, the
platform accepts them (``verify``), they may write, they speak for the account
config.yaml means (as its profile tells: a handle in ``name``, a ``page_id``), and
the token does not expire before the campaign window closes, and this host's
clock is not too far from the platform's (measured from its answers' ``Date``). ``campaign accounts
check`` prints the result; ``campaign preflight`` reuses it.

Only config.yaml and the environment decide where the checks go: the real
platforms, or the sandbox when the base URLs point at it.
"""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy.orm import Session, sessionmaker

from scheduler.clock import Clock
from scheduler.config import Account, CampaignConfig
from scheduler.daemon.accounts import build_publisher
from scheduler.errors import ConfigError, PublishError
from scheduler.platforms import registry
from scheduler.platforms.base import AccountCheck, Publisher
from scheduler.platforms.skew import SKEW_FIX, SKEW_LIMIT_S, skew_words


def check_account(
    config: CampaignConfig,
    account: Account,
    environ: Mapping[str, str],
    clock: Clock,
    sessions: sessionmaker[Session] | None = None,
) -> AccountCheck:
    """Check one account (module docstring); ``sessions``: the database whose
    token store holds OAuth 2.0 accounts' tokens. Never raises for a problem of
    the account: every problem is reported in ``problems``."""
    try:
        publisher = build_publisher(
            config, account, environ, clock, sessions=sessions, writer="campaign accounts check"
        )
    except ConfigError as error:
        return AccountCheck(account.label, account.platform, False, problems=(str(error),))
    try:
        identity = publisher.verify()
    except PublishError as error:
        skew = clock_problem(publisher)
        if publisher.skew_behind_refusal() is not None and error.outcome == "auth_failed":
            # A request signed with a timestamp too far from the platform's clock
            # is refused like a bad credential: the clock is the fix, not the tokens.
            problem = f"the platform refused the request because {skew}"
            return AccountCheck(account.label, account.platform, True, problems=(problem,))
        hint = _HINTS.get(error.outcome, "")
        if error.outcome == "transient" and error.http_status is None:
            hint = ""  # no answer at all: the adapter's message already says what to check
        problem = f"{error}" + (f"; {hint}" if hint else "")
        found = (problem,) if skew is None else (problem, skew)
        return AccountCheck(account.label, account.platform, True, problems=found)
    finally:
        publisher.close()
    problems: list[str] = []
    skew = clock_problem(publisher)
    if skew is not None:
        problems.append(skew)
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


def clock_problem(publisher: Publisher) -> str | None:
    """``this host's clock is N s ahead of x's; <the fix>`` when the skew measured
    from the platform's answers is beyond :data:`~scheduler.platforms.skew.SKEW_LIMIT_S`,
    else None."""
    seconds = publisher.clock_skew_s()
    if seconds is None or abs(seconds) <= SKEW_LIMIT_S:
        return None
    return f"{skew_words(seconds, publisher.platform)}; {SKEW_FIX}"


def check_accounts(
    config: CampaignConfig,
    environ: Mapping[str, str],
    clock: Clock,
    sessions: sessionmaker[Session] | None = None,
) -> list[AccountCheck]:
    """Check every account of ``config``, in config.yaml's order."""
    return [
        check_account(config, account, environ, clock, sessions) for account in config.accounts
    ]


_HINTS = {
    "auth_failed": "check the values in the environment (or .env) against the developer portal",
    "transient": "the platform had a temporary failure; try again in a few minutes",
    "rate_limited": "try again after the reset time",
}
