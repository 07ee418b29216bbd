"""The bill in words, as ``campaign check`` and ``campaign preflight`` print it,
and as plain JSON data."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from scheduler.content.bill import PlanBill, usd
from scheduler.platforms import registry
from scheduler.platforms.facts import Price


def bill_lines(bill: PlanBill) -> list[str]:
    """One line per account on a platform that bills, the total, and what drives
    it; empty when no account is on such a platform."""
    if not bill.accounts:
        return []
    settings = ", ".join(
        sorted({f"platforms.{account.platform}.prices" for account in bill.accounts})
    )
    lines = [f"Estimated bill (at the prices of config.yaml, {settings}):"]
    width = max(len(account.label) for account in bill.accounts)
    for account in bill.accounts:
        items = ", ".join(
            f"{count:,} × {price.what} at ${price.usd:.3f}"
            for price, count in account.lines.values()
            if count
        )
        spent = f"{usd(account.spent_usd)} spent + " if account.spent_usd else ""
        budget = f" (budget {usd(account.budget_usd)})" if account.budget_usd is not None else ""
        platform = registry.profile(account.platform).display_name
        lines.append(
            f"  {account.label:<{width}}  {platform}: {spent}{items or 'nothing to post'}"
            f" = {usd(account.total_usd)}{budget}"
        )
    budget = f" (campaign budget {usd(bill.budget_usd)})" if bill.budget_usd is not None else ""
    lines.append(f"  {'total':<{width}}  {usd(bill.total_usd)}{budget}")
    driver = _driver(bill)
    if driver is not None and len({op for account in bill.accounts for op in account.lines}) > 1:
        price, count, cost = driver
        share = cost / bill.total_usd if bill.total_usd else 0.0
        lines.append(
            f"  most of it: {count:,} × {price.what} ({usd(cost)}, {share:.0%} of the total; "
            f"price source: {price.source})"
        )
    return lines


def _driver(bill: PlanBill) -> tuple[Price, int, float] | None:
    """The priced operation that costs the most across accounts."""
    totals: dict[str, list[Any]] = defaultdict(lambda: [None, 0, 0.0])
    for account in bill.accounts:
        for operation, (price, count) in account.lines.items():
            entry = totals[operation]
            entry[0] = price
            entry[1] += count
            entry[2] += price.usd * count
    best = max(totals.values(), key=lambda entry: entry[2], default=None)
    if best is None or not best[2]:
        return None
    return best[0], best[1], best[2]


def bill_as_dict(bill: PlanBill) -> dict[str, Any]:
    """The bill as plain JSON data: US dollars, counts per operation, budgets."""
    return {
        "total_usd": round(bill.total_usd, 6),
        "budget_usd": bill.budget_usd,
        "over_budget": bill.over_budget(),
        "accounts": [
            {
                "label": account.label,
                "platform": account.platform,
                "budget_usd": account.budget_usd,
                "spent_usd": round(account.spent_usd, 6),
                "planned_usd": round(account.planned_usd, 6),
                "total_usd": round(account.total_usd, 6),
                "operations": {
                    operation: {"count": count, "usd_each": price.usd, "source": price.source}
                    for operation, (price, count) in account.lines.items()
                },
            }
            for account in bill.accounts
        ],
    }
