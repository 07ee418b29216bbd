"""The budget rule of ``campaign check``: the approved posts' bill must fit
``accounts[].budget_usd`` and ``campaign.budget_usd``.

The error sits on the post that crosses the budget, in publishing order, so
the person sees which posts the money runs out at; the bill itself
(:mod:`scheduler.content.bill`) goes into the report for the summary.
"""

from __future__ import annotations

from collections.abc import Sequence

from scheduler.config import CampaignConfig
from scheduler.content.bill import CENT_SLACK, PlanBill, empty_bill, publication_cost
from scheduler.content.resolve import Candidate
from scheduler.platforms.facts import Price

_FIX = (
    "post fewer links (a post with a link costs more: the bill under the check's summary "
    "says how much), move posts to an account with room, or raise {setting} in config.yaml"
)


def check_budget(candidates: Sequence[Candidate], config: CampaignConfig) -> PlanBill:
    """Bill the approved posts and report, on the post where it happens, each
    budget they exceed. Returns the bill (drafts and cancelled posts are not in it).

    Each distinct text is priced once per account (finding its links costs
    more than the rest of the rule), in publishing order.
    """
    approved = sorted(
        (candidate for candidate in candidates if candidate.post.status == "approved"),
        key=lambda candidate: (candidate.post.publish_at, candidate.post.id),
    )
    bill = empty_bill(config)
    billed = {account.label: account for account in bill.accounts}
    platforms = {account.label: account.platform for account in config.accounts}
    budgets = {label: account.budget_usd for label, account in billed.items()}
    priced: dict[tuple[str, str, int], tuple[tuple[Price, int], ...]] = {}
    spent: dict[str, float] = dict.fromkeys(billed, 0.0)
    total = 0.0
    told: set[str] = set()
    for candidate in approved:
        for label in candidate.post.targets:
            account = billed.get(label)
            if account is None:
                continue  # an unknown account (reported elsewhere), or one that bills nothing
            text = candidate.post.texts.get(platforms[label], "")
            # X bills one Media Metadata call per image with alt text (videos take none).
            alts = sum(1 for image in candidate.post.images if image.alt)
            cost = priced.get((label, text, alts))
            if cost is None:
                cost = priced[(label, text, alts)] = publication_cost(config, label, text, alts)
            usd = account.add(cost)
            total += usd
            spent[label] += usd
            budget = budgets[label]
            if budget is not None and spent[label] > budget + CENT_SLACK and label not in told:
                told.add(label)
                _report(candidate, label, spent[label], budget)
            campaign = bill.budget_usd
            if campaign is not None and total > campaign + CENT_SLACK and "" not in told:
                told.add("")
                _report(candidate, None, total, campaign)
    return bill


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
