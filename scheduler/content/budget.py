"""The budget rule of ``campaign check``: the approved posts' bill must fit
``accounts[].budget_usd`` and ``campaign.budget_usd``.

The error sits on the post that crosses the budget, in publishing order, so
the person sees which posts the money runs out at; the bill itself
(:mod:`scheduler.content.bill`) goes into the report for the summary.
"""

from __future__ import annotations

from collections.abc import Sequence

from scheduler.config import CampaignConfig
from scheduler.content.bill import (
    CENT_SLACK,
    Charge,
    PlanBill,
    bill_plan,
    cost_usd,
    publication_cost,
)
from scheduler.content.resolve import Candidate

_FIX = (
    "post fewer links (a post with a link costs more: the bill under the check's summary "
    "says how much), move posts to an account with room, or raise {setting} in config.yaml"
)


def check_budget(candidates: Sequence[Candidate], config: CampaignConfig) -> PlanBill:
    """Bill the approved posts and report, on the post where it happens, each
    budget they exceed. Returns the bill (drafts and cancelled posts are not in it)."""
    approved = sorted(
        (candidate for candidate in candidates if candidate.post.status == "approved"),
        key=lambda candidate: (candidate.post.publish_at, candidate.post.id),
    )
    bill = bill_plan(
        config,
        (
            Charge(label, candidate.post.texts.get(config.account(label).platform, ""))
            for candidate in approved
            for label in candidate.post.targets
            if _known(config, label)
        ),
    )
    budgets = {
        account.label: account.budget_usd
        for account in bill.accounts
        if account.budget_usd is not None
    }
    if not budgets and bill.budget_usd is None:
        return bill
    spent: dict[str, float] = dict.fromkeys(budgets, 0.0)
    total = 0.0
    told: set[str] = set()
    for candidate in approved:
        for label in candidate.post.targets:
            if bill.account(label) is None:
                continue
            account = config.account(label)
            cost = publication_cost(config, label, candidate.post.texts.get(account.platform, ""))
            usd = cost_usd(cost)
            total += usd
            if label in budgets:
                spent[label] += usd
                if spent[label] > budgets[label] + CENT_SLACK and label not in told:
                    told.add(label)
                    _report(candidate, label, spent[label], budgets[label])
            if (
                bill.budget_usd is not None
                and total > bill.budget_usd + CENT_SLACK
                and "" not in told
            ):
                told.add("")
                _report(candidate, None, total, bill.budget_usd)
    return bill


def _known(config: CampaignConfig, label: str) -> bool:
    return any(account.label == label for account in config.accounts)


def _report(candidate: Candidate, label: str | None, usd: float, budget: float) -> None:
    who = f"{label}'s posts" if label else "the campaign's posts"
    setting = f"budget_usd of {label}" if label else "campaign.budget_usd"
    candidate.sink.error(
        "budget",
        f"{who} up to {candidate.post.id} would cost about ${usd:,.2f}, over the budget "
        f"of ${budget:,.2f}",
        _FIX.format(setting=setting),
        candidate.at_path,
        post_id=candidate.post.id,
    )
