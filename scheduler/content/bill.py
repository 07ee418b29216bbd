"""The bill of a plan: what the platforms that bill per request (X since 2026)
would charge for publishing it, per account and in total, and against which budget.

``campaign check`` bills the approved posts of the post files, ``campaign
preflight`` the publications the queue still has to send (adding what the
attempts already recorded), the dashboard the queue. Each publication is
priced by its platform's profile
(:meth:`~scheduler.platforms.profile.PlatformProfile.publication_cost`) at the
prices of config.yaml (``platforms.<key>.prices``, the profile's defaults
otherwise), so the estimate and the cost the daemon records for each attempt
come from the same rule.

Budgets are ``accounts[].budget_usd`` (one account) and ``campaign.budget_usd``
(every account together), in US dollars.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from scheduler.config import CampaignConfig
from scheduler.platforms import registry
from scheduler.platforms.facts import Price

# Share of a budget spent at which an alert goes out (the daemon's, once).
ALERT_SHARE = 0.8
# Sums of float prices are compared with this slack, so that a plan that costs
# exactly its budget fits.
CENT_SLACK = 1e-9


@dataclass(frozen=True)
class Charge:
    """One publication to price: the account it goes to (``label``), its ``text``
    on that platform, and how many of its images carry alt text."""

    label: str
    text: str
    alt_texts: int = 0


@dataclass
class AccountBill:
    """What one account's publications would cost: ``lines`` maps each priced
    operation to its price and count; ``spent_usd`` is what the attempts already
    recorded (preflight, dashboard), added to :attr:`total_usd`."""

    label: str
    platform: str
    budget_usd: float | None
    lines: dict[str, tuple[Price, int]] = field(default_factory=dict)
    spent_usd: float = 0.0

    @property
    def planned_usd(self) -> float:
        """US dollars the publications still to go out would cost."""
        return sum(price.usd * count for price, count in self.lines.values())

    @property
    def total_usd(self) -> float:
        """What was spent plus what is planned, in US dollars."""
        return self.spent_usd + self.planned_usd

    def count(self, operation: str) -> int:
        """How many of ``operation`` (``post_create_with_url``...) the plan makes."""
        return self.lines[operation][1] if operation in self.lines else 0

    def add(self, cost: Iterable[tuple[Price, int]]) -> float:
        """Add one publication's priced requests; returns their cost in US dollars."""
        usd = 0.0
        for price, count in cost:
            _, before = self.lines.get(price.operation, (price, 0))
            self.lines[price.operation] = (price, before + count)
            usd += price.usd * count
        return usd


@dataclass
class PlanBill:
    """The bill of a plan: one :class:`AccountBill` per account on a platform
    that bills (config.yaml's order), and the campaign's budget."""

    accounts: list[AccountBill]
    budget_usd: float | None

    @property
    def total_usd(self) -> float:
        """Every account's total, in US dollars."""
        return sum(account.total_usd for account in self.accounts)

    def account(self, label: str) -> AccountBill | None:
        """The bill of the account labelled ``label``; None when its platform bills nothing."""
        return next((bill for bill in self.accounts if bill.label == label), None)

    def over_budget(self) -> list[str]:
        """Each budget the plan exceeds, in words with the fix; empty when it fits."""
        found = [
            f"{bill.label}'s posts would cost about ${bill.total_usd:,.2f}, over its budget "
            f"of ${bill.budget_usd:,.2f}: post fewer links (a post with a link costs more), "
            f"move posts to another account, or raise budget_usd of {bill.label} in config.yaml"
            for bill in self.accounts
            if bill.budget_usd is not None and bill.total_usd > bill.budget_usd + CENT_SLACK
        ]
        if self.budget_usd is not None and self.total_usd > self.budget_usd + CENT_SLACK:
            found.append(
                f"the campaign's posts would cost about ${self.total_usd:,.2f}, over its budget "
                f"of ${self.budget_usd:,.2f}: post fewer links, or raise campaign.budget_usd "
                "in config.yaml"
            )
        return found


def empty_bill(config: CampaignConfig) -> PlanBill:
    """A bill with no publication yet: one line per account whose platform bills."""
    accounts = [
        AccountBill(account.label, account.platform, account.budget_usd)
        for account in config.accounts
        if registry.profile(account.platform).prices(config.platforms[account.platform])
    ]
    return PlanBill(accounts, config.campaign.budget_usd)


def publication_cost(
    config: CampaignConfig, label: str, text: str, alt_texts: int = 0
) -> tuple[tuple[Price, int], ...]:
    """The priced requests of one publication to the account ``label`` (see
    :meth:`~scheduler.platforms.profile.PlatformProfile.publication_cost`).

    :raises ConfigError: when config.yaml has no account ``label``.
    """
    account = config.account(label)
    profile = registry.profile(account.platform)
    return profile.publication_cost(config.platforms[account.platform], text, alt_texts)


def bill_plan(config: CampaignConfig, charges: Iterable[Charge]) -> PlanBill:
    """Price every charge; charges to accounts no longer in config.yaml, or on a
    platform that bills nothing, are left out."""
    bill = empty_bill(config)
    by_label = {account.label: account for account in bill.accounts}
    # Finding a text's links is the cost here: each distinct charge is priced once.
    priced: dict[Charge, tuple[tuple[Price, int], ...]] = {}
    for charge in charges:
        account = by_label.get(charge.label)
        if account is not None:
            cost = priced.get(charge)
            if cost is None:
                cost = priced[charge] = publication_cost(
                    config, charge.label, charge.text, charge.alt_texts
                )
            account.add(cost)
    return bill


def cost_usd(cost: Iterable[tuple[Price, int]]) -> float:
    """US dollars of priced requests."""
    return sum(price.usd * count for price, count in cost)


def usd(amount: float) -> str:
    """US dollars as people read them: cents, or tenths of a cent below ten
    dollars (a post without a link costs $0.015 on X)."""
    return f"${amount:,.3f}" if abs(amount) < 10 else f"${amount:,.2f}"
