"""``alerts:`` in config.yaml: where alerts go, which events each target hears, and
the thresholds that decide when something is news.

A leaf module (pydantic only), below config in the layers: :mod:`scheduler.config`
reads it, and the store and the alert services (:mod:`scheduler.alerts`) share
its event names.

Targets are Apprise URLs (https://github.com/caronc/apprise/wiki, one syntax for
e-mail, Slack, Matrix, Signal, Telegram, Teams, JSON webhooks and more). They
carry passwords and tokens, so config.yaml names the environment variable that
holds each one, never the URL itself.
"""

from __future__ import annotations

import difflib
import re

from pydantic import BaseModel, ConfigDict, Field, field_validator

# Every event an alert can report, with what it means (shown in the docs and by
# `campaign alerts test`). A target's ``events`` lists some of these names.
EVENT_KINDS: dict[str, str] = {
    "failed": "a publication failed (refused by the platform, or out of tries)",
    "missed": "a publication was missed: found too late to go out",
    "needs_review": "a publication needs review: it may or may not be on the platform",
    "account_paused": "an account was paused (its credentials were refused, or by a person)",
    "account_resumed": "an account was resumed",
    "campaign_paused": "the whole campaign was paused",
    "campaign_resumed": "the campaign was resumed",
    "rate_limited": "a platform rate limit makes a post late by more than rate_limit_late_min",
    "token_expiring": "an account's token expires within token_expiry_days",
    "budget": "an account or the campaign has spent 80% of its budget_usd (or the daemon "
    "paused an account rather than exceed it)",
    "no_daemon": "no daemon is alive while posts are due within no_daemon_within_h",
    "daemon_silent": "a daemon stopped beating without saying it stopped (killed, host down)",
    "digest": "the daily digest: what goes out tomorrow per account, what needs attention",
    "test": "a test message from `campaign alerts test`",
}

_ENV_NAME = re.compile(r"^[A-Z_][A-Z0-9_]*$")
_LOCAL_TIME = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")


def variable_name(value: str) -> str:
    """``value`` when it is an environment variable's name (``CMC_X_MAIN_API_KEY``).

    The message never repeats the value: a secret put where its variable's name
    belongs must not reach an error message (or a terminal's scrollback).

    :raises ValueError: for anything else.
    """
    if not _ENV_NAME.match(value):
        raise ValueError(
            "this must be the name of an environment variable (capital letters, digits "
            "and _, such as CMC_X_MAIN_API_KEY), not a secret's value: put the value in "
            "that variable (in the environment or .env)"
        )
    return value


class AlertTarget(BaseModel):
    """One place alerts go: ``url_env`` names the environment variable holding its
    Apprise URL; ``events`` the event names it hears (default: every one)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    url_env: str
    events: tuple[str, ...] = tuple(EVENT_KINDS)

    @field_validator("url_env")
    @classmethod
    def _variable_name(cls, value: str) -> str:
        if not _ENV_NAME.match(value):
            raise ValueError(
                "url_env must be the name of an environment variable (capital letters, "
                "digits and _, such as CAMPAIGN_ALERT_SLACK), not the URL itself: put the "
                "Apprise URL in that variable (in the environment or .env)"
            )
        return value

    @field_validator("events")
    @classmethod
    def _known_events(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        if not value:
            raise ValueError("events is empty; leave it out to hear every event")
        for name in value:
            if name not in EVENT_KINDS:
                close = difflib.get_close_matches(name, list(EVENT_KINDS), n=1)
                hint = f"; did you mean {close[0]!r}?" if close else ""
                raise ValueError(f"unknown event {name!r}{hint} (known: {', '.join(EVENT_KINDS)})")
        return tuple(dict.fromkeys(value))

    def hears(self, kind: str) -> bool:
        """True when this target wants events of ``kind`` (a test goes everywhere)."""
        return kind == "test" or kind in self.events


class AlertSettings(BaseModel):
    """The ``alerts:`` section. Units are in the names.

    ``rate_limit_late_min``: a rate limit that makes a post later than this is
    news; a shorter wait is not. ``token_expiry_days``: warn when a token expires
    within this many days. ``no_daemon_within_h``: ``campaign watch`` raises "no
    live daemon" when posts are due within this many hours (or overdue).
    ``digest_at``: local time (campaign timezone, ``"HH:MM"``, quoted) of the
    daily digest (alerts link to the dashboard's pages when ``web.public_url``
    is set). ``retry_base_s``/``retry_max_s``: backoff between tries of one delivery
    (doubling, with jitter; wall seconds); ``give_up_after_h``: a delivery still
    failing this long after its event is marked failed (``campaign status``
    shows it).
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    targets: tuple[AlertTarget, ...] = ()
    rate_limit_late_min: float = Field(default=30, ge=0)
    token_expiry_days: float = Field(default=7, ge=0)
    no_daemon_within_h: float = Field(default=3, gt=0)
    digest_at: str = "18:00"
    retry_base_s: float = Field(default=30, gt=0)
    retry_max_s: float = Field(default=1800, gt=0)
    give_up_after_h: float = Field(default=24, gt=0)

    @field_validator("digest_at")
    @classmethod
    def _local_time(cls, value: str) -> str:
        if not _LOCAL_TIME.match(value):
            raise ValueError(f'digest_at {value!r} is not a local time; write it as "18:00"')
        return value

    @field_validator("targets")
    @classmethod
    def _distinct(cls, value: tuple[AlertTarget, ...]) -> tuple[AlertTarget, ...]:
        names = [target.url_env for target in value]
        twice = sorted({name for name in names if names.count(name) > 1})
        if twice:
            raise ValueError(f"each target's url_env must be different: {', '.join(twice)}")
        return value

    def target(self, url_env: str) -> AlertTarget | None:
        """The target whose URL is in ``url_env``, or None."""
        return next((t for t in self.targets if t.url_env == url_env), None)
