"""Build the publisher for an account: credentials from the environment, then the adapter.

This is the one place that turns config.yaml's account entries into working
publishers, each built by its platform's profile (:mod:`scheduler.platforms.registry`);
the daemon, ``campaign accounts check`` and the rehearsal all come through here.
Building a publisher also registers its secrets for redaction and installs the
log redaction (see :mod:`scheduler.platforms.secrets`).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping

from sqlalchemy.orm import Session, sessionmaker

from scheduler.clock import Clock
from scheduler.config import Account, CampaignConfig
from scheduler.errors import ConfigError
from scheduler.platforms import registry
from scheduler.platforms.base import Credentials, Publisher
from scheduler.platforms.keys import TokenKeeper
from scheduler.platforms.secrets import install_log_redaction, register_secrets


def load_credentials(
    account: Account, environ: Mapping[str, str], keeper: TokenKeeper | None = None
) -> Credentials:
    """The secret values ``account`` names, read from ``environ``.

    Every variable the account names in config.yaml must be set and non-empty
    (surrounding whitespace is dropped, as from a pasted token).

    :raises ConfigError: naming each missing variable, and only those, and how to set them.
    """
    values: dict[str, str] = {}
    missing: list[tuple[str, str]] = []  # (variable, field)
    for field_name, variable in account.credentials.items():
        value = environ.get(variable, "").strip()
        if value:
            values[field_name] = value
        else:
            missing.append((variable, field_name))
    if missing:
        named = ", ".join(f"{variable} ({field_name})" for variable, field_name in missing)
        exports = " ".join(f"{variable}=..." for variable, _field in missing)
        them = "it" if len(missing) == 1 else "them"
        raise ConfigError(
            f"account {account.label!r} ({account.platform}) is missing credential "
            f"environment {'variable' if len(missing) == 1 else 'variables'}: {named}",
            where="environment",
            hint=(
                f"export {them} before running (export {exports}) or put {them} in a .env "
                "file beside config.yaml, which git ignores; docs/platforms.md says where "
                "each value comes from"
            ),
        )
    fields = registry.profile(account.platform).fields_for(account)
    required = [spec.name for spec in fields if spec.required]
    absent = [name for name in required if name not in values]
    if absent:  # config.py validates this already; kept so a bad Account cannot slip through
        raise ConfigError(f"account {account.label!r} names no variable for {', '.join(absent)}")
    register_secrets(values.values())
    return Credentials(values, keeper)


def build_publisher(
    config: CampaignConfig,
    account: Account,
    environ: Mapping[str, str],
    clock: Clock,
    keeper: TokenKeeper | None = None,
    *,
    sessions: sessionmaker[Session] | None = None,
    writer: str = "campaign",
) -> Publisher:
    """The publisher for ``account``, talking to the base URL config.yaml gives;
    ``keeper`` keeps the tokens a platform issues (a session's), None: in memory.

    An account whose access token lives in the token store (X on ``auth:
    oauth2``) needs ``sessions`` (its database); the publisher renews the token
    there before each request, as ``writer`` (:func:`~scheduler.tokens.store.describe_writer`).

    :raises ConfigError: a credential variable is missing (see load_credentials),
        or the account's tokens need a database and none was given.
    """
    profile = registry.find(account.platform)
    if profile is None:
        raise ConfigError(f"account {account.label!r}: unknown platform {account.platform!r}")
    install_log_redaction()
    credentials = load_credentials(account, environ, keeper)
    settings = config.platforms[account.platform]
    renewal = profile.access_renewal(account, settings, credentials)
    if renewal is not None:
        if sessions is None:
            raise ConfigError(
                f"account {account.label!r} keeps its tokens in the database, which this "
                "command does not open",
                hint="run it with the campaign's database (--database-url), or from the daemon",
            )
        from scheduler.daemon.access import RenewedAccess

        access = RenewedAccess(account.label, renewal, sessions, environ, clock, writer)
        credentials = dataclasses.replace(credentials, access_token=access)
    return profile.build_publisher(account, settings, credentials, clock)


def build_publishers(
    config: CampaignConfig, environ: Mapping[str, str], clock: Clock
) -> dict[str, Publisher]:
    """A publisher for every configured account, keyed by label.

    :raises ConfigError: listing every account with missing credentials at once.
    """
    publishers: dict[str, Publisher] = {}
    problems: list[str] = []
    for account in config.accounts:
        try:
            publishers[account.label] = build_publisher(config, account, environ, clock)
        except ConfigError as error:
            problems.append(error.problem)
    if problems:
        for publisher in publishers.values():
            publisher.close()
        raise ConfigError(
            "; ".join(problems),
            where="environment",
            hint="export the variables or put them in a .env file beside config.yaml",
        )
    return publishers
