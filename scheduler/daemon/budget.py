"""What each attempt costs, and the budgets at publishing time.

``campaign check`` and ``campaign preflight`` refuse a plan over a budget
(:mod:`scheduler.content.bill`), so the daemon meets a budget only when the
plan changed after them or the prices did. Before a create call it adds the
post's estimated cost to what the attempts already recorded; when that would
exceed ``accounts[].budget_usd`` or ``campaign.budget_usd`` it pauses the
account (the last resort: nothing else keeps the bill within the budget)
rather than send. After a post goes out, the attempt records its cost, and
the first attempt that brings spending to 80% of a budget raises a ``budget``
alert (one per budget: the event's key says which).

Two daemons publishing at once read the spending before either records:
each can add one post's cost beyond what the other sees, so a budget can be
overrun by at most one post per daemon.
"""

from __future__ import annotations

import dataclasses
import logging
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from scheduler.config import CampaignConfig
from scheduler.content.bill import (
    ALERT_SHARE,
    CENT_SLACK,
    Charge,
    PlanBill,
    bill_plan,
    cost_usd,
    publication_cost,
)
from scheduler.platforms import registry
from scheduler.storage.attempts import Claim, spent_usd
from scheduler.storage.database import reading
from scheduler.storage.models import QUEUED, Post, Publication, PublicationState
from scheduler.storage.outbox import NewEvent
from scheduler.storage.settlements import Settlement

logger = logging.getLogger(__name__)

_BILLED = (PublicationState.PUBLISHED,)


@dataclass(frozen=True)
class Spending:
    """Before a create call: the post's estimated ``cost`` and what the account
    and the campaign had spent (US dollars)."""

    cost: float
    account: float
    campaign: float


def attempt_cost(config: CampaignConfig, held: Claim) -> float:
    """US dollars the platform bills when ``held``'s post goes out (config.yaml's
    prices); 0 for an account config.yaml no longer has (its prices are unknown)."""
    if not any(account.label == held.account_label for account in config.accounts):
        return 0.0
    alts = sum(1 for alt in held.alt_texts if alt)
    return cost_usd(publication_cost(config, held.account_label, held.text, alts))


def _budgets(config: CampaignConfig, label: str) -> tuple[float | None, float | None]:
    account = next((entry for entry in config.accounts if entry.label == label), None)
    return (account.budget_usd if account else None), config.campaign.budget_usd


def before_create(
    config: CampaignConfig, sessions: sessionmaker[Session], held: Claim, now: datetime
) -> tuple[Settlement | None, Spending | None]:
    """The pause that keeps ``held`` within its budgets (None when it fits), and
    the spending the 80% alert compares with (None when no budget applies or the
    post costs nothing). ``now`` is aware UTC.

    :raises StorageError: when the database cannot be read.
    """
    account_budget, campaign_budget = _budgets(config, held.account_label)
    if account_budget is None and campaign_budget is None:
        return None, None
    cost = attempt_cost(config, held)
    if not cost:
        return None, None
    spent = spent_usd(sessions)
    spending = Spending(cost, spent.get(held.account_label, 0.0), sum(spent.values()))
    over = None
    if account_budget is not None and spending.account + cost > account_budget + CENT_SLACK:
        over = (
            f"{held.account_label} has spent about ${spending.account:,.2f} of its "
            f"${account_budget:,.2f} budget and {held.post_id} would cost ${cost:,.3f} more"
        )
        setting = f"budget_usd of {held.account_label}"
    elif campaign_budget is not None and spending.campaign + cost > campaign_budget + CENT_SLACK:
        over = (
            f"the campaign has spent about ${spending.campaign:,.2f} of its "
            f"${campaign_budget:,.2f} budget and {held.post_id} would cost ${cost:,.3f} more"
        )
        setting = "campaign.budget_usd"
    if over is None:
        return None, spending
    reason = (
        f"{held.account_label} is paused rather than exceed a budget: {over}. Its posts "
        f"stay queued. Raise {setting} in config.yaml (or take posts out), then run "
        f"`campaign resume --account {held.account_label}`"
    )
    logger.error("ACCOUNT PAUSED: %s", reason)
    paused = Settlement(
        state=PublicationState.RETRYING,
        outcome="over_budget",
        next_attempt_at=now,
        hold_reason=reason,
        last_error=reason,
        cost_usd=0.0,
    )
    return paused, spending


def priced(
    settlement: Settlement,
    config: CampaignConfig,
    held: Claim,
    spending: Spending | None,
    now: datetime,
) -> Settlement:
    """``settlement`` with the attempt's cost (its post's when it went out, 0
    otherwise: a refused request creates nothing), and the ``budget`` alerts of
    the budgets it brings to 80% spent."""
    if settlement.cost_usd is not None:
        return settlement
    cost = attempt_cost(config, held) if settlement.state in _BILLED else 0.0
    events = list(settlement.events)
    if cost and spending is not None:
        account_budget, campaign_budget = _budgets(config, held.account_label)
        for label, before, budget in (
            (held.account_label, spending.account, account_budget),
            (None, spending.campaign, campaign_budget),
        ):
            if budget and before < ALERT_SHARE * budget <= before + cost + CENT_SLACK:
                events.append(_alert(label, before + cost, budget, now))
    return dataclasses.replace(settlement, cost_usd=cost, events=tuple(events))


def with_reads(
    settlement: Settlement, config: CampaignConfig, held: Claim, posts_read: int
) -> Settlement:
    """A reconciliation's ``settlement`` with its cost: the ``posts_read`` read
    back (never blocked by a budget: knowing whether a post is out matters more),
    plus the post's own price when it was found out (billed when it was created)."""
    cost = attempt_cost(config, held) if settlement.state in _BILLED else 0.0
    account = next((entry for entry in config.accounts if entry.label == held.account_label), None)
    if account is not None and posts_read:
        profile = registry.profile(account.platform)
        cost += cost_usd(profile.read_cost(config.platforms[account.platform], posts_read))
    return dataclasses.replace(settlement, cost_usd=cost)


def _alert(label: str | None, spent: float, budget: float, now: datetime) -> NewEvent:
    scope = f"account:{label}" if label else "campaign"
    facts: dict[str, object] = {"spent_usd": round(spent, 6), "budget_usd": budget}
    if label:
        facts["account"] = label
    return NewEvent("budget", f"budget:{scope}:{budget}:80", now, facts)


def queue_bill(config: CampaignConfig, sessions: sessionmaker[Session]) -> PlanBill:
    """The bill of what the queue still has to publish (pending, retrying, in
    flight), plus what the attempts already recorded per account: what
    ``campaign preflight`` and the dashboard show.

    :raises StorageError: when the database cannot be read.
    """
    query = (
        select(Publication.account_label, Publication.platform, Post.texts, Post.alt_texts)
        .join(Post, Post.id == Publication.post_id)
        .where(Publication.state.in_((*QUEUED, PublicationState.PUBLISHING)))
    )
    with reading(sessions) as session:
        charges = [
            Charge(
                label,
                str((texts or {}).get(platform, "")),
                sum(1 for alt in alt_texts or () if alt),
            )
            for label, platform, texts, alt_texts in session.execute(query)
        ]
    bill = bill_plan(config, charges)
    for label, spent in spent_usd(sessions).items():
        account = bill.account(label)
        if account is not None:
            account.spent_usd = spent
    return bill
