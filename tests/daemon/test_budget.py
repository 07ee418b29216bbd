"""Budgets at publishing time and in the preflight: every attempt records its
cost, an alert at 80% spent, a pause rather than an overrun."""

from __future__ import annotations

import dataclasses
from datetime import timedelta

import pytest

from scheduler.clock import FrozenClock
from scheduler.config import CampaignConfig
from scheduler.content.resolved import ResolvedPost
from scheduler.daemon.preflight import preflight
from scheduler.daemon.worker import publish
from scheduler.errors import Rejected
from scheduler.platforms.base import AccountCheck
from scheduler.storage.models import Hold, PublicationState
from scheduler.storage.outbox import recorded_events
from tests.daemon.conftest import T0, Queue, WorkerWorld, make_config, resolved

LINK = "Read the treaty at example.org/ccm #StopClusterBombsNow"


def _link_post(name: str, minutes: int) -> ResolvedPost:
    return resolved(name, T0 + timedelta(minutes=minutes), text=f"{name}: {LINK}", media=())


def test_each_attempt_records_its_cost_and_a_refusal_costs_nothing(world: WorkerWorld) -> None:
    plain, link, refused = world.queue.add(
        resolved("plain", T0, media=()),
        _link_post("link", 0),
        resolved("refused", T0, media=()),
    )
    context = world.context()
    publish(context, plain)
    publish(context, link)
    world.platform.fail_next("create_post", lambda: Rejected("text refused", http_status=403))
    publish(context, refused)
    assert [a.cost_usd for a in world.attempts(plain)] == [pytest.approx(0.015)]
    assert [a.cost_usd for a in world.attempts(link)] == [pytest.approx(0.200)]
    assert [(a.outcome, a.cost_usd) for a in world.attempts(refused)] == [("rejected", 0.0)]


def test_an_alert_at_80_percent_and_a_pause_rather_than_an_overrun(world: WorkerWorld) -> None:
    # 0.2 + 0.2 reaches 80% of 0.5; a third link post (0.6) would exceed it.
    budgeted = world.with_accounts(x_main={"budget_usd": 0.5})
    first, second, third = budgeted.queue.add(
        _link_post("one", 0), _link_post("two", 0), _link_post("three", 0)
    )
    context = budgeted.context()
    publish(context, first)
    assert [e.kind for e in recorded_events(world.sessions)] == []
    publish(context, second)
    (alert,) = [e for e in recorded_events(world.sessions) if e.kind == "budget"]
    assert alert.facts["account"] == "x-main" and alert.facts["budget_usd"] == 0.5
    assert alert.facts["spent_usd"] == pytest.approx(0.4)

    outcome = publish(context, third)

    assert outcome.kind == "again"
    assert world.platform.count() == 2  # the third was never sent
    (attempt,) = world.attempts(third)
    assert (attempt.outcome, attempt.cost_usd) == ("over_budget", 0.0)
    assert world.publication(third).state == PublicationState.RETRYING
    with world.sessions() as session:
        hold = session.get(Hold, "account:x-main")
    assert hold is not None and "budget_usd of x-main" in hold.reason
    assert "campaign resume --account x-main" in hold.reason
    kinds = [e.kind for e in recorded_events(world.sessions)]
    assert kinds.count("budget") == 1 and "account_paused" in kinds


def test_the_campaign_budget_counts_every_account(world: WorkerWorld) -> None:
    data = world.config.model_dump(mode="json")
    data["campaign"]["budget_usd"] = 0.3
    config = make_config(world.config.base_dir, data)
    budgeted = dataclasses.replace(world, config=config, queue=Queue(world.sessions, config))
    main, french = budgeted.queue.add(
        _link_post("main", 0), resolved("fr", T0, text=f"fr: {LINK}", media=(), targets=("x-fr",))
    )
    context = budgeted.context()
    publish(context, main)
    publish(context, french)
    assert world.platform.count() == 1
    (attempt,) = world.attempts(french)
    assert attempt.outcome == "over_budget"
    with world.sessions() as session:
        hold = session.get(Hold, "account:x-fr")
    assert hold is not None and "campaign.budget_usd" in hold.reason


def _ready(config: CampaignConfig, environ: object, clock: object) -> list[AccountCheck]:
    return [AccountCheck(a.label, a.platform, True) for a in config.accounts]


def test_preflight_bills_the_queue_plus_what_was_spent(world: WorkerWorld) -> None:
    budgeted = world.with_accounts(x_main={"budget_usd": 0.5})
    spent, *_ = budgeted.queue.add(
        _link_post("spent", 0),
        _link_post("later-1", 60),
        _link_post("later-2", 120),
        resolved("later-3", T0 + timedelta(minutes=180), media=()),
    )
    publish(budgeted.context(), spent)
    report = preflight(budgeted.config, world.sessions, {}, FrozenClock(T0), account_checker=_ready)
    assert report.bill is not None
    x_main = report.bill.account("x-main")
    assert x_main is not None
    assert x_main.spent_usd == pytest.approx(0.2)
    assert x_main.planned_usd == pytest.approx(0.4 + 0.015)
    (problem,) = report.bill_problems
    assert "x-main's posts would cost about $0.61, over its budget of $0.50" in problem
    assert not report.ok


def test_a_post_found_by_reconciliation_is_billed_once(world: WorkerWorld) -> None:
    from scheduler.errors import UnknownOutcome

    (pid,) = world.queue.add(_link_post("timeout", 0))
    world.platform.fail_next(
        "create_post", lambda: UnknownOutcome("read timed out", http_status=None), applied=True
    )
    publish(world.context(), pid)
    (attempt,) = world.attempts(pid)
    assert (attempt.outcome, attempt.cost_usd) == ("reconciled", pytest.approx(0.200))
