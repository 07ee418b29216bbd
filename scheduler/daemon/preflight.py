"""``campaign preflight``: the readiness report before a big day.

Five checks, each a list of problems (empty: ready):

- **accounts**: as ``campaign accounts check`` (credentials present, accepted,
  allowed to write, the right account, valid until the campaign ends, and the
  tokens stored for it readable and renewable: :mod:`scheduler.tokens.report`);
- **media**: every queued post's images exist and each target platform takes
  them (format and size, the rules ``campaign check`` uses); each file the
  coming days use is listed with how many publications carry it;
- **quota**: for each account and each local day of the coming ``days``, posts
  already out plus posts queued must fit the daily cap;
- **queue**: nothing waiting for a person (needs review), nothing missed or
  failed, nothing overdue, no pause in force, and nothing queued whose time
  has passed beyond the late grace on the real clock (it would be missed);
- **bill**: what the platforms that bill per request (X) would charge for the
  rest of the queue, added to what the attempts recorded, fits
  ``accounts[].budget_usd`` and ``campaign.budget_usd``
  (:func:`~scheduler.daemon.budget.queue_bill`).

Once the campaign window has ended, one note says so and names ``campaign
new`` instead of a problem per post.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from scheduler.clock import Clock
from scheduler.config import CampaignConfig
from scheduler.content.bill import PlanBill
from scheduler.content.image_rules import platform_media_issues
from scheduler.content.images import ImageInspector
from scheduler.content.media import MediaResolver
from scheduler.daemon.accounts_check import check_accounts
from scheduler.daemon.budget import queue_bill
from scheduler.daemon.concerns import publications
from scheduler.daemon.status import daemon_status
from scheduler.platforms import registry
from scheduler.platforms.base import AccountCheck
from scheduler.storage.database import reading
from scheduler.storage.models import QUEUED, Post, Publication, PublicationState
from scheduler.tokens.report import TokenReport, token_report, with_token_problems

AccountChecker = Callable[[CampaignConfig, Mapping[str, str], Clock], list[AccountCheck]]


@dataclass(frozen=True)
class DayQuota:
    """One account on one local day: posts out or queued against the daily cap."""

    account_label: str
    day: date
    planned: int
    daily_cap: int

    @property
    def headroom(self) -> int:
        return self.daily_cap - self.planned


@dataclass(frozen=True)
class MediaUse:
    """One image file the coming days publish: ``path`` relative to the media
    folder, ``publications`` how many queued publications carry it, on which
    ``platforms``; ``problem`` is empty when every one of them takes it."""

    path: str
    publications: int
    platforms: tuple[str, ...]
    problem: str = ""


@dataclass
class PreflightReport:
    """The five checks; ``ok`` when none found a problem. ``tokens`` lists the
    stored tokens (their problems are also in their account's check);
    ``media_used`` the files the coming days publish; ``notes`` what is worth
    knowing but no problem (a campaign that has ended)."""

    accounts: list[AccountCheck] = field(default_factory=list)
    tokens: TokenReport = field(default_factory=TokenReport)
    media: list[str] = field(default_factory=list)
    quota: list[DayQuota] = field(default_factory=list)
    queue: list[str] = field(default_factory=list)
    media_used: list[MediaUse] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    bill: PlanBill | None = None

    @property
    def bill_problems(self) -> list[str]:
        """Each budget the queue would exceed, with the fix."""
        return self.bill.over_budget() if self.bill is not None else []

    @property
    def quota_problems(self) -> list[str]:
        return [
            f"{q.account_label} on {q.day}: {q.planned} posts for a daily cap of {q.daily_cap}"
            for q in self.quota
            if q.headroom < 0
        ]

    @property
    def ok(self) -> bool:
        return (
            all(check.ok for check in self.accounts)
            and not self.media
            and not self.quota_problems
            and not self.queue
            and not self.bill_problems
        )


def preflight(
    config: CampaignConfig,
    sessions: sessionmaker[Session],
    environ: Mapping[str, str],
    clock: Clock,
    *,
    days: int = 7,
    account_checker: AccountChecker = check_accounts,
) -> PreflightReport:
    """Run every check for the ``days`` local days starting today.

    :raises StorageError: when the database cannot be read.
    """
    now = clock.now()
    zone = config.campaign.zone
    first_day = now.astimezone(zone).date()
    until = config.campaign.local_midnight(first_day + timedelta(days=days))
    tokens = token_report(sessions, environ, now)
    report = PreflightReport(
        accounts=with_token_problems(account_checker(config, environ, clock), tokens),
        tokens=tokens,
    )
    caps = {account.label: account.daily_cap for account in config.accounts}
    planned: Counter[tuple[str, date]] = Counter()
    resolver = MediaResolver(config)
    inspector = ImageInspector()
    uses: Counter[str] = Counter()
    platforms_of: dict[str, set[str]] = {}
    problems_of: dict[str, str] = {}
    grace = timedelta(minutes=config.publishing.late_grace_min)
    ended = now >= config.campaign.window_end
    would_miss = 0
    with reading(sessions) as session:
        rows = session.execute(
            select(
                Publication.account_label,
                Publication.platform,
                Publication.state,
                Publication.next_attempt_at,
                Publication.published_at,
                Post.id,
                Post.media,
            )
            .join(Post, Post.id == Publication.post_id)
            .where(
                Publication.state.in_((*QUEUED, PublicationState.PUBLISHED)),
                Publication.next_attempt_at < until,
            )
        )
        for label, platform, state, due, published, post_id, media in rows:
            moment = published if state == PublicationState.PUBLISHED else due
            if moment is None:
                continue
            day = moment.astimezone(zone).date()
            if day >= first_day:
                planned[(label, day)] += 1
            if state in QUEUED and due < now - grace:
                would_miss += 1
                continue
            profile = registry.find(platform)
            if state in QUEUED and profile is not None:
                paths = tuple(str(item) for item in media or ())
                rules = profile.media_rules(config.platforms[platform])
                for index, severity, _, message, fix in platform_media_issues(
                    paths, rules, profile.display_name, inspector, resolver
                ):
                    if severity != "error":
                        continue
                    report.media.append(f"{post_id} on {label}: {message} ({fix})")
                    problems_of.setdefault(paths[min(index, len(paths) - 1)], message)
                for relative in paths:
                    uses[relative] += 1
                    platforms_of.setdefault(relative, set()).add(platform)
                    if not resolver.absolute(relative).exists():
                        report.media.append(f"{post_id} on {label}: {relative} is missing")
                        problems_of[relative] = "the file is missing"
    report.media_used = [
        MediaUse(path, count, tuple(sorted(platforms_of[path])), problems_of.get(path, ""))
        for path, count in sorted(uses.items())
    ]
    for offset in range(days):
        day = first_day + timedelta(days=offset)
        for label, cap in caps.items():
            report.quota.append(DayQuota(label, day, planned[(label, day)], cap))
    report.bill = queue_bill(config, sessions)
    status = daemon_status(sessions, config, now)
    if ended:
        report.notes.append(
            f"the campaign window ended on {config.campaign.window.end}: nothing of it is left "
            "to publish; start the next campaign with `campaign new` (docs/new-campaign.md)"
        )
        return report
    if would_miss:
        report.queue.append(
            publications(would_miss, "is", "are")
            + " queued for a time more than publishing.late_grace_min ago: the daemon will "
            "mark them missed; move them in posts/ and `campaign sync`, or `campaign cancel` them"
        )
    for concern in status.concerns:
        if concern.kind in ("needs_review", "missed", "failed"):
            report.queue.append(f"{concern.line}, then `campaign retry` or `campaign resolve`")
        elif concern.kind == "overdue" and not would_miss:
            report.queue.append(f"{concern.words}: is `campaign run` running?")
        elif concern.kind == "paused":
            reason = status.holds.get(concern.scope, "")
            report.queue.append(f"{concern.words} ({reason}): `{concern.command}` when ready")
    return report
