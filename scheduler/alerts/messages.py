"""What an alert says: plain words naming the post, the account, what happened,
and the command (or dashboard page) that settles it.

:func:`render` turns a recorded event (its kind and facts, see
:mod:`scheduler.storage.outbox`) into a title and a body. The title carries the
event id, so it is in every e-mail's subject; times are the campaign's local
time. No message ever holds a secret: the facts come from the queue, whose
errors the platforms' redaction already cleaned.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from scheduler.config import CampaignConfig
from scheduler.platforms import registry
from scheduler.storage.outbox import StoredEvent


@dataclass(frozen=True)
class Message:
    """One alert as sent: ``title`` (a mail's subject) and ``body`` (plain text);
    ``fields`` go into a webhook's JSON beside them (event id, kind, post, account)."""

    title: str
    body: str
    fields: dict[str, str]


class _Words:
    """Formatting shared by every message of one campaign."""

    def __init__(self, config: CampaignConfig) -> None:
        self.config = config
        self.zone = config.campaign.zone
        self.dashboard = config.web.public_url

    def when(self, text: str | None) -> str:
        """An ISO 8601 instant as local time: ``Thu 05 Nov 14:00 CET``."""
        if not text:
            return "an unknown time"
        return datetime.fromisoformat(text).astimezone(self.zone).strftime("%a %d %b %H:%M %Z")

    def account(self, label: str) -> str:
        """``x-fr (@CMC_francais on X)``, or the bare label of an account config.yaml dropped."""
        for account in self.config.accounts:
            if account.label == label:
                return f"{label} ({account.name} on {_platform(account.platform)})"
        return label

    def page(self, path: str) -> str:
        """ " or on the dashboard: <url>" when the dashboard's address is configured."""
        return f", or on the dashboard: {self.dashboard}{path}" if self.dashboard else ""


def _publication(words: _Words, facts: dict[str, Any], what: str) -> tuple[str, list[str]]:
    post, label = facts.get("post_id", "?"), facts.get("account", "?")
    lines = [
        f"The post {post} {what} on {words.account(label)}.",
        f"It was due {words.when(facts.get('scheduled_at'))}.",
    ]
    if facts.get("reason"):
        lines.append(f"Why: {facts['reason']}")
    return f"{post} on {label}", lines


def _failed(words: _Words, facts: dict[str, Any]) -> tuple[str, list[str]]:
    subject, lines = _publication(words, facts, "failed and did not go out")
    post, label = facts.get("post_id"), facts.get("account")
    lines.append(
        f'To settle it: fix the cause, then `campaign retry {post} --account {label} --reason "..."` '
        f'to queue it again, or `campaign cancel {post} --account {label} --reason "..."`. '
        f"Details: `campaign show {post}`{words.page(f'/posts/{post}')}."
    )
    return f"Failed: {subject}", lines


def _missed(words: _Words, facts: dict[str, Any]) -> tuple[str, list[str]]:
    subject, lines = _publication(words, facts, "was missed: it was found too late to go out")
    post, label = facts.get("post_id"), facts.get("account")
    lines.append(
        f'To settle it: `campaign retry {post} --account {label} --reason "..."` publishes it now, '
        f"or leave it. Details: `campaign show {post}`{words.page(f'/posts/{post}')}."
    )
    return f"Missed: {subject}", lines


def _needs_review(words: _Words, facts: dict[str, Any]) -> tuple[str, list[str]]:
    subject, lines = _publication(words, facts, "needs review: nobody can tell whether it went out")
    post, label = facts.get("post_id"), facts.get("account")
    lines.append(
        f"To settle it: look for it on {label}; then `campaign resolve {post} --account {label} "
        f"--published URL` if it is there, or `campaign resolve {post} --account {label} "
        f'--not-published --reason "..."` to queue it again. '
        f"Details: `campaign show {post}`{words.page(f'/posts/{post}')}."
    )
    return f"Needs review: {subject}", lines


def _rate_limited(words: _Words, facts: dict[str, Any]) -> tuple[str, list[str]]:
    post, label = facts.get("post_id", "?"), facts.get("account", "?")
    late = float(facts.get("late_min", 0))
    lines = [
        f"A rate limit of {_platform(str(facts.get('platform', '')))} stops {words.account(label)} "
        f"until {words.when(facts.get('reset_at'))}.",
        f"The post {post}, due {words.when(facts.get('scheduled_at'))}, goes out about "
        f"{_minutes(late)} late then, and the account's other posts due before the reset wait too.",
    ]
    if facts.get("reason"):
        lines.append(f"Why: {facts['reason']}")
    lines.append(
        "Nothing to do unless the delay matters: `campaign status` shows the wait; "
        f'`campaign cancel {post} --account {label} --reason "..."` drops a post that '
        "should not go out late."
    )
    return f"Rate limit makes {post} on {label} {_minutes(late)} late", lines


def _account_paused(words: _Words, facts: dict[str, Any]) -> tuple[str, list[str]]:
    label = facts.get("account", "?")
    lines = [
        f"Publishing to {words.account(label)} is paused; its posts stay queued.",
        f"Why: {facts.get('reason', 'no reason given')}",
    ]
    if facts.get("actor"):
        lines.append(f"Paused by {facts['actor']}.")
    lines.append(
        f"To settle it: fix the cause (`campaign accounts check` tests the credentials), then "
        f"`campaign resume --account {label}`{words.page('/attention')}."
    )
    return f"Account paused: {label}", lines


def _account_resumed(words: _Words, facts: dict[str, Any]) -> tuple[str, list[str]]:
    label = facts.get("account", "?")
    lines = [
        f"Publishing to {words.account(label)} is resumed by {facts.get('actor', 'someone')}: "
        f"{facts.get('reason', 'resumed')}.",
        "Posts that waited go out in time order; any found too late are marked missed "
        "(`campaign status` shows them).",
    ]
    return f"Account resumed: {label}", lines


def _campaign_paused(words: _Words, facts: dict[str, Any]) -> tuple[str, list[str]]:
    lines = [
        f"{facts.get('actor', 'Someone')} paused the whole campaign: nothing is published "
        "until it is resumed; posts stay queued.",
        f"Why: {facts.get('reason', 'no reason given')}",
        f"To settle it: `campaign resume`{words.page('/attention')}.",
    ]
    return "Campaign paused", lines


def _campaign_resumed(words: _Words, facts: dict[str, Any]) -> tuple[str, list[str]]:
    lines = [
        f"{facts.get('actor', 'Someone')} resumed the campaign: {facts.get('reason', 'resumed')}.",
        "Posts that waited go out in time order; any found too late are marked missed "
        "(`campaign status` shows them).",
    ]
    return "Campaign resumed", lines


def _token_expiring(words: _Words, facts: dict[str, Any]) -> tuple[str, list[str]]:
    label = facts.get("account", "?")
    lines = [
        f"The {facts.get('token', 'access token')} of {words.account(label)} expires "
        f"{words.when(facts.get('expires_at'))}; after that nothing can be published there.",
        f"To settle it: {facts.get('fix', 'renew the token')}, then check it with "
        "`campaign accounts check`.",
    ]
    return f"Token of {label} expires {words.when(facts.get('expires_at'))}", lines


def _budget(words: _Words, facts: dict[str, Any]) -> tuple[str, list[str]]:
    label = facts.get("account")
    spent, budget = float(facts.get("spent_usd", 0)), float(facts.get("budget_usd", 0))
    share = f"{spent / budget:.0%}" if budget else "all"
    return f"{label or 'Campaign'} has spent {share} of its budget", [
        f"{words.account(label) if label else 'The campaign'} has spent about ${spent:,.2f} of "
        f"its ${budget:,.2f} budget ({share}), at the prices of config.yaml. To settle it: "
        "`campaign preflight` shows what the rest of the plan costs; post fewer links, or "
        f"raise {f'budget_usd of {label}' if label else 'campaign.budget_usd'} in config.yaml."
    ]


def _no_daemon(words: _Words, facts: dict[str, Any]) -> tuple[str, list[str]]:
    due, overdue = int(facts.get("due_count", 0)), int(facts.get("overdue_count", 0))
    last = facts.get("last_heartbeat")
    lines = [
        "No daemon is publishing: "
        + (
            f"the last one ({facts.get('last_worker')}) was last heard from {words.when(last)}."
            if last
            else "none has ever run on this database."
        ),
        f"{due} publication(s) are due by {words.when(facts.get('horizon'))}"
        + (
            f", the first {words.when(facts.get('first_due_at'))}"
            if facts.get("first_due_at")
            else ""
        )
        + (f"; {overdue} already overdue" if overdue else "")
        + ".",
        "To settle it: start `campaign run` (or `systemctl start` its unit) on the host, "
        f"then check with `campaign status`{words.page('/attention')}.",
    ]
    return "No daemon is publishing", lines


def _daemon_silent(words: _Words, facts: dict[str, Any]) -> tuple[str, list[str]]:
    worker = facts.get("worker_id", "?")
    lines = [
        f"The daemon {worker} on {facts.get('hostname', '?')} (pid {facts.get('pid', '?')}) "
        f"stopped beating at {words.when(facts.get('heartbeat_at'))} without saying it stopped "
        "(killed, or its host is down). The other daemons carry on and take over its claims.",
        "To settle it: find out why on that host and start it again; `campaign status` "
        "lists the daemons.",
    ]
    return f"Daemon {worker} went silent", lines


def _digest(words: _Words, facts: dict[str, Any]) -> tuple[str, list[str]]:
    tomorrow = facts.get("tomorrow_date", "tomorrow")
    plan: dict[str, list[list[str]]] = facts.get("tomorrow", {})
    lines = [f"Tomorrow, {tomorrow}:"]
    if not any(plan.values()):
        lines.append("  nothing is queued to go out.")
    for label, posts in plan.items():
        if posts:
            listing = ", ".join(f"{at} {post}" for at, post in posts[:12])
            more = f" and {len(posts) - 12} more" if len(posts) > 12 else ""
            lines.append(f"  {words.account(label)}: {len(posts)} post(s): {listing}{more}")
    attention: list[str] = facts.get("attention", [])
    lines.append("Needs attention:" if attention else "Nothing needs attention.")
    lines += [f"  - {line}" for line in attention]
    lines.append(f"More: `campaign status`, `campaign timeline`{words.page('/')}.")
    total = sum(len(posts) for posts in plan.values())
    return f"Daily digest for {tomorrow}: {total} post(s), {len(attention)} to look at", lines


def _test(words: _Words, facts: dict[str, Any]) -> tuple[str, list[str]]:
    lines = [
        f"This is a test alert of {words.config.campaign.name}, sent by "
        f"{facts.get('actor', 'someone')} with `campaign alerts test` to {facts.get('target')}.",
        "If you read this, alerts reach you here. Nothing needs doing.",
    ]
    return "Test alert", lines


_RENDER = {
    "failed": _failed,
    "missed": _missed,
    "needs_review": _needs_review,
    "rate_limited": _rate_limited,
    "account_paused": _account_paused,
    "account_resumed": _account_resumed,
    "campaign_paused": _campaign_paused,
    "campaign_resumed": _campaign_resumed,
    "token_expiring": _token_expiring,
    "budget": _budget,
    "no_daemon": _no_daemon,
    "daemon_silent": _daemon_silent,
    "digest": _digest,
    "test": _test,
}


def _platform(key: str) -> str:
    """A platform as people write it (its profile's ``display_name``: ``X``)."""
    profile = registry.find(key)
    return profile.display_name if profile is not None else (key or "the platform")


def _minutes(minutes: float) -> str:
    whole = round(minutes)
    if whole < 60:
        return f"{whole} min"
    hours, rest = divmod(whole, 60)
    return f"{hours} h {rest} min" if rest else f"{hours} h"


def render(event: StoredEvent, config: CampaignConfig) -> Message:
    """The message for ``event``: a title holding the event id, and the body."""
    words = _Words(config)
    build = _RENDER.get(event.kind)
    if build is None:
        headline, lines = f"Event {event.kind}", [str(event.facts)]
    else:
        headline, lines = build(words, event.facts)
    campaign = config.campaign.hashtag
    title = f"{campaign}: {headline} [event {event.event_id}]"
    body = "\n".join(lines) + f"\n\nevent id: {event.event_id}"
    fields = {"event_id": event.event_id, "event": event.kind}
    for name in ("post_id", "account"):
        if event.facts.get(name):
            fields[name] = str(event.facts[name])
    return Message(title, body, fields)
