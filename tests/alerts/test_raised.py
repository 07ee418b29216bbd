"""Each change worth an alert records its event in the same transaction: failed,
needs review, missed, a rate limit that makes a post late (a short wait is not
news), an account paused (once, however many workers hit the auth failure), and
a person pausing or resuming the campaign or an account."""

from __future__ import annotations

from datetime import timedelta

from scheduler.daemon.worker import publish
from scheduler.errors import AuthFailed, RateLimited, Rejected, UnknownOutcome
from scheduler.storage import actions, daemon_state
from scheduler.storage.models import PublicationState as State
from tests.alerts.conftest import events, with_alerts
from tests.daemon.conftest import T0, WorkerWorld, resolved


def test_a_refused_post_records_one_failed_event_naming_post_account_and_reason(
    world: WorkerWorld,
) -> None:
    (pid,) = world.queue.add(resolved("refused", T0))
    world.platform.fail_next("create_post", lambda: Rejected("text too long", http_status=400))

    publish(world.context(), pid)

    assert world.publication(pid).state == State.FAILED
    (event,) = events(world.sessions)
    assert event.kind == "failed"
    assert event.facts["post_id"] == "refused"
    assert event.facts["account"] == "x-main"
    assert event.facts["publication_id"] == pid
    assert "text too long" in event.facts["reason"]


def test_an_unknown_outcome_not_found_records_needs_review(world: WorkerWorld) -> None:
    (pid,) = world.queue.add(resolved("lost", T0))
    world.platform.fail_next("create_post", lambda: UnknownOutcome("HTTP 503", http_status=503))

    publish(world.context(), pid)

    assert world.publication(pid).state == State.NEEDS_REVIEW
    assert [event.kind for event in events(world.sessions)] == ["needs_review"]


def test_a_post_found_too_late_records_missed(world: WorkerWorld) -> None:
    (pid,) = world.queue.add(resolved("late", T0))
    world.clock.set(T0 + timedelta(hours=3))

    publish(world.context(), pid)

    assert world.publication(pid).state == State.MISSED
    (event,) = events(world.sessions)
    assert (event.kind, event.facts["post_id"]) == ("missed", "late")
    assert "late grace" in event.facts["reason"]


def test_a_long_rate_limit_is_news_and_a_short_one_is_not(world: WorkerWorld) -> None:
    world = world  # rate_limit_late_min 30 (the default)
    short, long_ = world.queue.add(
        resolved("short", T0, targets=("x-main",)), resolved("long", T0, targets=("x-fr",))
    )
    world.platform.fail_next(
        "create_post",
        lambda: RateLimited("429", reset_at=T0 + timedelta(minutes=10)),
        account_label="x-main",
    )
    world.platform.fail_next(
        "create_post",
        lambda: RateLimited("429", reset_at=T0 + timedelta(hours=2)),
        account_label="x-fr",
    )

    publish(world.context(), short)
    publish(world.context(), long_)

    (event,) = events(world.sessions)
    assert event.kind == "rate_limited"
    assert (event.facts["post_id"], event.facts["account"]) == ("long", "x-fr")
    assert event.facts["late_min"] == 120.0


def test_the_rate_limit_threshold_is_a_setting(world: WorkerWorld) -> None:
    strict = world.__class__(
        world.sessions, with_alerts(world.config, rate_limit_late_min=5), world.clock,
        world.platform, world.make_context, world.queue,
    )  # fmt: skip
    (pid,) = strict.queue.add(resolved("short", T0))
    strict.platform.fail_next(
        "create_post", lambda: RateLimited("429", reset_at=T0 + timedelta(minutes=10))
    )

    publish(strict.context(), pid)

    assert [event.kind for event in events(strict.sessions)] == ["rate_limited"]


def test_an_auth_failure_pauses_the_account_once_and_the_pause_holds_the_next_worker(
    world: WorkerWorld,
) -> None:
    first, second = world.queue.add(resolved("one", T0), resolved("two", T0))
    for _ in range(2):
        world.platform.fail_next(
            "create_post", lambda: AuthFailed("token revoked", http_status=401)
        )

    publish(world.context(worker_id="host:1:a"), first)
    publish(world.context(worker_id="host:2:b"), second)

    paused = events(world.sessions, "account_paused")
    assert len(paused) == 1
    assert paused[0].facts["account"] == "x-main"
    assert "token revoked" in paused[0].facts["reason"]


def test_an_account_that_cannot_be_built_is_paused_with_its_event_once(
    world: WorkerWorld,
) -> None:
    for _ in range(2):
        daemon_state.pause_account(world.sessions, "x-fr", "credentials missing", "d1", T0)

    (event,) = events(world.sessions)
    assert (event.kind, event.facts["account"]) == ("account_paused", "x-fr")


def test_a_person_pausing_and_resuming_records_each_move(world: WorkerWorld) -> None:
    actions.pause(world.sessions, reason="embargo until noon", now=T0, actor="ana")
    actions.pause(world.sessions, reason="embargo until one", now=T0 + timedelta(minutes=5))
    actions.resume(world.sessions, now=T0 + timedelta(hours=1), actor="ana")
    actions.pause(world.sessions, reason="wrong figure", account="x-fr", now=T0, actor="ben")
    actions.resume(world.sessions, account="x-fr", reason="fixed", now=T0, actor="ben")

    kinds = [(event.kind, event.facts.get("account")) for event in events(world.sessions)]
    assert kinds == [
        ("campaign_paused", None),  # pausing again only changes the reason: one pause
        ("campaign_resumed", None),
        ("account_paused", "x-fr"),
        ("account_resumed", "x-fr"),
    ]
    assert events(world.sessions)[0].facts == {"reason": "embargo until noon", "actor": "ana"}


def test_a_published_post_records_nothing(world: WorkerWorld) -> None:
    (pid,) = world.queue.add(resolved("fine", T0))
    publish(world.context(), pid)
    assert world.publication(pid).state == State.PUBLISHED
    assert events(world.sessions) == []
