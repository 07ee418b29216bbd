"""The bill of ``campaign check``: X's prices per post, the link rate, budgets."""

from __future__ import annotations

from pathlib import Path

import pytest

from scheduler.config import CampaignConfig
from scheduler.content.check import check_paths
from tests.content.test_rules import english_post, posts_file


def _with(config: CampaignConfig, **changes: object) -> CampaignConfig:
    """``config`` with x-main's budget, the campaign's budget or X's prices changed."""
    data = config.model_dump()
    accounts = data["accounts"]
    for account in accounts:
        if account["label"] == "x-main" and "x_main_budget" in changes:
            account["budget_usd"] = changes["x_main_budget"]
    if "campaign_budget" in changes:
        data["campaign"]["budget_usd"] = changes["campaign_budget"]
    if "prices" in changes:
        data["platforms"]["x"]["prices"] = changes["prices"]
    changed = CampaignConfig.model_validate(data)
    changed._base_dir = config._base_dir
    return changed


_APPROVED = "  status: approved\n"


def _posts(tmp_path: Path, with_link: int, without: int) -> Path:
    items = [
        english_post(
            f"link-{n}",
            f"2020-11-02 {8 + n:02d}:00",
            f"Read x.org/r{n} #StopClusterBombsNow",
            _APPROVED,
        )
        for n in range(with_link)
    ] + [
        english_post(
            f"plain-{n}", f"2020-11-03 {8 + n:02d}:00", f"Plain {n} #StopClusterBombsNow", _APPROVED
        )
        for n in range(without)
    ]
    path = tmp_path / "posts.yaml"
    path.write_text(posts_file(*items), encoding="utf-8")
    return path


def test_a_post_with_a_link_is_billed_at_the_url_rate(
    config: CampaignConfig, tmp_path: Path
) -> None:
    report = check_paths(config, [_posts(tmp_path, with_link=3, without=5)])
    assert report.bill is not None
    x_main = report.bill.account("x-main")
    assert x_main is not None
    assert x_main.count("post_create_with_url") == 3
    assert x_main.count("post_create") == 5
    # Each post's logo carries its alt text: one Media Metadata request per post.
    assert x_main.count("media_metadata") == 8
    assert x_main.total_usd == pytest.approx(3 * 0.200 + 5 * 0.015 + 8 * 0.005)
    # Facebook bills nothing: no line for its accounts; x-fr has no English posts.
    assert report.bill.account("facebook-main") is None
    assert report.bill.total_usd == pytest.approx(x_main.total_usd)


def test_config_prices_override_the_defaults(config: CampaignConfig, tmp_path: Path) -> None:
    prices = {"post_create_usd": 0.5, "post_create_with_url_usd": 1.0, "media_metadata_usd": 0.25}
    changed = _with(config, prices=prices)
    report = check_paths(changed, [_posts(tmp_path, with_link=1, without=2)])
    assert report.bill is not None
    assert report.bill.total_usd == pytest.approx(1.0 + 2 * 0.5 + 3 * 0.25)


def test_the_post_that_breaks_an_account_budget_is_an_error(
    config: CampaignConfig, tmp_path: Path
) -> None:
    # A link post with its logo's alt text costs 0.205: two fit 0.45; the third
    # brings the account to 0.615.
    path = _posts(tmp_path, with_link=4, without=0)
    report = check_paths(_with(config, x_main_budget=0.45), [path])
    (problem,) = [p for p in report.problems if p.rule == "budget"]
    assert problem.post_id == "link-2"
    assert "x-main's posts up to link-2 would cost about $0.61" in problem.message
    assert "over the budget of $0.45" in problem.message
    assert problem.hint is not None and "budget_usd of x-main" in problem.hint
    assert not report.ok()


def test_a_plan_that_costs_exactly_its_budget_fits(config: CampaignConfig, tmp_path: Path) -> None:
    # 2 x 0.200 + 2 x 0.015 for the posts, 4 x 0.005 for their logos' alt text.
    path = _posts(tmp_path, with_link=2, without=2)
    report = check_paths(_with(config, x_main_budget=0.45, campaign_budget=0.45), [path])
    assert [p for p in report.problems if p.rule == "budget"] == []


def test_the_campaign_budget_covers_every_account(config: CampaignConfig, tmp_path: Path) -> None:
    path = _posts(tmp_path, with_link=2, without=0)
    report = check_paths(_with(config, campaign_budget=0.3), [path])
    (problem,) = [p for p in report.problems if p.rule == "budget"]
    assert problem.post_id == "link-1"
    assert "the campaign's posts" in problem.message
    assert problem.hint is not None and "campaign.budget_usd" in problem.hint


def test_drafts_are_not_billed(config: CampaignConfig, tmp_path: Path) -> None:
    path = tmp_path / "posts.yaml"
    path.write_text(
        posts_file(english_post("draft", "2020-11-02 09:00", "x.org #StopClusterBombsNow")),
        encoding="utf-8",
    )
    report = check_paths(_with(config, x_main_budget=0.0), [path])
    assert report.bill is not None and report.bill.total_usd == 0
    assert report.ok()
