"""One publication through the worker, on the memory platform and a frozen clock,
on SQLite and PostgreSQL: success, every failure outcome, and reconciliation."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from scheduler.clock import FrozenClock
from scheduler.daemon.publishers import PublisherPool
from scheduler.daemon.worker import publish
from scheduler.errors import (
    AuthFailed,
    RateLimited,
    Rejected,
    TransientError,
    UnknownOutcome,
)
from scheduler.platforms.base import PublishedPost
from scheduler.platforms.memory import MemoryPlatform, MemoryPublisher
from scheduler.storage.models import AccountState, Hold, PublicationState
from tests.daemon.conftest import T0, WorkerWorld, resolved

State = PublicationState


def test_a_due_publication_is_published_once_with_its_media(world: WorkerWorld) -> None:
    (pid,) = world.queue.add(resolved("launch", T0))
    context = world.context()

    outcome = publish(context, pid)

    assert outcome.kind == "done"
    row = world.publication(pid)
    assert row.state == State.PUBLISHED
    (post,) = world.platform.posts["x-main"]
    assert row.platform_post_id == post.platform_post_id
    assert row.platform_url == post.url
    assert row.published_hash == row.claimed_hash
    assert post.text == "launch: join the treaty #StopClusterBombsNow"
    assert ("upload_media", "x-main") in world.platform.calls
    (attempt,) = world.attempts(pid)
    assert attempt.outcome == "published" and attempt.ended_at is not None
    assert attempt.worker_id == context.worker_id
    # A second run of the same job finds nothing to do and posts nothing.
    assert publish(context, pid).kind == "done"
    assert world.platform.count() == 1


def test_a_publication_not_yet_due_is_left_alone(world: WorkerWorld) -> None:
    (pid,) = world.queue.add(resolved("later", T0 + timedelta(hours=1)))
    outcome = publish(world.context(), pid)
    assert (outcome.kind, outcome.due_at) == ("again", T0 + timedelta(hours=1))
    assert world.publication(pid).state == State.PENDING
    assert world.attempts(pid) == []


def test_unknown_outcome_that_was_applied_is_reconciled_not_retried(world: WorkerWorld) -> None:
    (pid,) = world.queue.add(resolved("timeout", T0))
    world.platform.fail_next(
        "create_post", lambda: UnknownOutcome("read timed out", http_status=None), applied=True
    )

    publish(world.context(), pid)

    row = world.publication(pid)
    assert row.state == State.PUBLISHED
    (post,) = world.platform.posts["x-main"]
    assert row.platform_post_id == post.platform_post_id
    assert [call for call in world.platform.calls if call[0] == "create_post"] == [
        ("create_post", "x-main")
    ]
    assert ("find_post", "x-main") in world.platform.calls
    (attempt,) = world.attempts(pid)
    assert attempt.outcome == "reconciled"
    assert attempt.platform_message == "read timed out"


def test_unknown_outcome_not_found_needs_review_and_is_never_sent_twice(world: WorkerWorld) -> None:
    (pid,) = world.queue.add(resolved("lost", T0))
    world.platform.fail_next("create_post", lambda: UnknownOutcome("HTTP 503", http_status=503))

    publish(world.context(), pid)

    row = world.publication(pid)
    assert row.state == State.NEEDS_REVIEW
    assert (
        row.last_error is not None
        and "campaign resolve lost --account x-main --published URL" in row.last_error
    )
    assert world.platform.count() == 0
    assert world.attempts(pid)[-1].http_status == 503
    world.clock.advance(3600)
    assert publish(world.context(), pid).kind == "done"
    assert [c for c in world.platform.calls if c[0] == "create_post"] == [("create_post", "x-main")]


def test_a_duplicate_refusal_is_reconciled_against_the_posts_since_the_first_try(
    world: WorkerWorld,
) -> None:
    # Someone posted the identical text by hand a week ago (outside the window).
    text = "Same words #StopClusterBombsNow"
    world.platform.posts["x-main"] = [
        PublishedPost("42", "memory://x-main/42", created_at=T0 - timedelta(days=7), text=text)
    ]
    (new_id,) = world.queue.add(resolved("new", T0, text=text))

    publish(world.context(), new_id)

    row = world.publication(new_id)
    assert row.state == State.NEEDS_REVIEW
    assert row.last_error is not None and "older post has the same text" in row.last_error
    assert world.platform.count("x-main") == 1


def test_a_duplicate_of_our_own_lost_post_is_published_with_its_id(world: WorkerWorld) -> None:
    (pid,) = world.queue.add(resolved("twice", T0))
    text = "twice: join the treaty #StopClusterBombsNow"
    # An earlier try made the post and its answer was lost: X now refuses the text.
    world.platform.posts["x-main"] = [
        PublishedPost("42", "memory://x-main/42", created_at=T0, text=text)
    ]

    publish(world.context(), pid)

    row = world.publication(pid)
    assert (row.state, row.platform_post_id) == (State.PUBLISHED, "42")
    assert world.attempts(pid)[-1].outcome == "reconciled"
    assert world.platform.count() == 1


def test_a_failed_lookup_is_tried_again_later_and_never_resends(world: WorkerWorld) -> None:
    from scheduler.daemon.recovery import Recovery

    (pid,) = world.queue.add(resolved("unsure", T0))
    world.platform.fail_next(
        "create_post", lambda: UnknownOutcome("connection reset"), applied=True
    )
    world.platform.fail_next("find_post", lambda: TransientError("read failed"))
    context = world.context()

    publish(context, pid)
    row = world.publication(pid)
    assert row.state == State.PUBLISHING and row.needs_reconcile and row.claimed_by is None
    assert row.lease_expires_at is not None and row.lease_expires_at > T0

    rescuer = world.context(worker_id="test-host:2:bbbbbb")
    submitted: list[int] = []
    recovery = Recovery(rescuer, submitted.append, lambda: set())
    assert recovery.scan(world.clock.now()) == 0  # not before the lookup is due again
    world.clock.set(row.lease_expires_at)
    assert recovery.scan(world.clock.now()) == 1
    recovery.run(submitted[0])

    row = world.publication(pid)
    assert row.state == State.PUBLISHED
    assert row.platform_post_id == world.platform.posts["x-main"][0].platform_post_id
    assert [c for c in world.platform.calls if c[0] == "create_post"] == [("create_post", "x-main")]
    assert [a.outcome for a in world.attempts(pid)] == ["unknown", "reconciled"]


def test_transient_failures_back_off_then_fail_with_the_reason(world: WorkerWorld) -> None:
    (pid,) = world.queue.add(resolved("flaky", T0))
    context = world.context()
    delays = []
    for _ in range(3):  # max_attempts is 3
        world.platform.fail_next("upload_media", lambda: TransientError("connection refused"))
        outcome = publish(context, pid)
        row = world.publication(pid)
        if row.state == State.RETRYING:
            assert outcome.kind == "again" and outcome.due_at == row.next_attempt_at
            delays.append((row.next_attempt_at - world.clock.now()).total_seconds())
            world.clock.set(row.next_attempt_at)
    assert row.state == State.FAILED
    assert row.last_error is not None and "gave up after 3 tries" in row.last_error
    # Exponential with jitter: 30 s then 60 s, each between half and all of it.
    assert 15 <= delays[0] <= 30 and 30 <= delays[1] <= 60
    assert world.platform.count() == 0
    assert [a.outcome for a in world.attempts(pid)] == ["transient"] * 3


def test_a_rejection_fails_with_the_platforms_words(world: WorkerWorld) -> None:
    (pid,) = world.queue.add(resolved("bad", T0))
    world.platform.fail_next(
        "create_post",
        lambda: Rejected(
            "invalid media", http_status=400, platform_message="Your media IDs are invalid."
        ),
    )
    publish(world.context(), pid)
    row = world.publication(pid)
    assert row.state == State.FAILED
    assert row.last_error is not None and "Your media IDs are invalid." in row.last_error
    assert world.attempts(pid)[-1].http_status == 400


def test_a_rate_limit_makes_the_account_wait_without_stopping_others(world: WorkerWorld) -> None:
    reset = T0 + timedelta(minutes=15)
    first, second = world.queue.add(resolved("a", T0), resolved("b", T0 + timedelta(minutes=1)))
    (other,) = world.queue.add(resolved("c", T0 + timedelta(minutes=1), targets=("x-fr",)))
    world.platform.fail_next(
        "create_post",
        lambda: RateLimited("429", reset_at=reset, http_status=429),
        account_label="x-main",
    )
    context = world.context()

    outcome = publish(context, first)
    assert (outcome.kind, outcome.due_at) == ("again", reset)
    row = world.publication(first)
    assert (row.state, row.next_attempt_at) == (State.RETRYING, reset)
    with world.sessions() as session:
        state = session.get(AccountState, "x-main")
        assert state is not None and state.rate_limited_until == reset
    world.clock.advance(60)
    assert publish(context, second).due_at == reset  # the same account waits too
    assert world.publication(second).state == State.PENDING
    publish(context, other)  # another account goes on
    assert world.publication(other).state == State.PUBLISHED
    world.clock.set(reset)
    publish(context, first)
    publish(context, second)
    assert world.publication(first).state == State.PUBLISHED
    assert world.publication(second).state == State.PUBLISHED
    assert [a.outcome for a in world.attempts(first)] == ["rate_limited", "published"]


def test_an_auth_failure_pauses_the_account_and_keeps_its_posts_queued(world: WorkerWorld) -> None:
    first, second = world.queue.add(resolved("a", T0), resolved("b", T0))
    (other,) = world.queue.add(resolved("c", T0, targets=("x-fr",)))
    world.platform.fail_next("create_post", lambda: AuthFailed("401 Unauthorized", http_status=401))
    context = world.context()

    publish(context, first)

    assert world.publication(first).state == State.RETRYING
    with world.sessions() as session:
        hold = session.get(Hold, "account:x-main")
        assert hold is not None and "401 Unauthorized" in hold.reason
    held = publish(context, second)
    assert held.kind == "held" and "account:x-main paused" in held.reason
    assert world.publication(second).state == State.PENDING
    publish(context, other)
    assert world.publication(other).state == State.PUBLISHED
    with world.sessions.begin() as session:
        session.delete(session.get(Hold, "account:x-main"))
    publish(context, first)
    publish(context, second)
    assert world.platform.count("x-main") == 2


def test_late_posts_go_out_within_the_grace_and_are_missed_beyond_it(world: WorkerWorld) -> None:
    recent, old = world.queue.add(
        resolved("recent", T0 - timedelta(minutes=30)), resolved("old", T0 - timedelta(hours=2))
    )
    context = world.context()
    publish(context, recent)
    publish(context, old)
    assert world.publication(recent).state == State.PUBLISHED
    row = world.publication(old)
    assert row.state == State.MISSED
    assert (
        row.last_error is not None
        and "found 2 h late, beyond the late grace of 1 h" in row.last_error
    )
    assert world.platform.count() == 1


def test_minimum_spacing_and_daily_cap_are_enforced_from_the_database(world: WorkerWorld) -> None:
    spaced = world.with_accounts(x_main={"min_spacing_min": 30, "daily_cap": 2})
    a, b, c = spaced.queue.add(
        resolved("a", T0),
        resolved("b", T0 + timedelta(minutes=10)),
        resolved("c", T0 + timedelta(minutes=50)),
    )
    context = spaced.context()
    publish(context, a)
    world.clock.set(T0 + timedelta(minutes=10))
    outcome = publish(context, b)  # 10 min after a: waits for the 30-min slot
    assert (outcome.kind, outcome.due_at) == ("again", T0 + timedelta(minutes=30))
    world.clock.set(T0 + timedelta(minutes=30))
    publish(context, b)
    assert world.publication(b).state == State.PUBLISHED
    world.clock.set(T0 + timedelta(minutes=60))
    publish(context, c)  # the cap of 2 is reached; tomorrow is beyond the grace
    row = world.publication(c)
    assert row.state == State.MISSED
    assert row.last_error is not None and "daily cap of 2 posts reached" in row.last_error
    assert world.platform.count() == 2


@pytest.fixture
def spaced(world: WorkerWorld) -> WorkerWorld:
    """The campaign with 30 minutes between two posts of x-main."""
    return world.with_accounts(x_main={"min_spacing_min": 30})


def test_a_retried_post_waits_for_the_spacing_slot_however_old_its_time(
    spaced: WorkerWorld,
) -> None:
    """An operator's retry means "publish it now": the account's spacing may make it
    wait, but its old time must not make it missed."""
    from scheduler.storage import actions

    old, recent = spaced.queue.add(resolved("old", T0), resolved("recent", T0 + timedelta(hours=3)))
    context = spaced.context()
    spaced.platform.fail_next(
        "create_post", lambda: Rejected("refused", http_status=403, platform_message="No.")
    )
    publish(context, old)
    assert spaced.publication(old).state == State.FAILED
    spaced.clock.set(T0 + timedelta(hours=3))
    publish(context, recent)
    retried_at = T0 + timedelta(hours=3, minutes=5)
    spaced.clock.set(retried_at)
    actions.retry(spaced.sessions, "old", reason="the platform is fixed", now=retried_at)

    outcome = publish(context, old)  # 5 min after the last post: waits for the slot
    slot = T0 + timedelta(hours=3, minutes=30)
    assert (outcome.kind, outcome.due_at) == ("again", slot)
    spaced.clock.set(slot)
    publish(context, old)
    assert spaced.publication(old).state == State.PUBLISHED


def test_posts_waiting_for_a_spacing_slot_take_it_in_time_order(spaced: WorkerWorld) -> None:
    """A post deferred to the next slot and a post due exactly then both fire at
    once: the older one goes first, whichever job the daemon runs first."""
    first, waiting, on_time = spaced.queue.add(
        resolved("first", T0),
        resolved("waiting", T0 + timedelta(minutes=10)),
        resolved("on-time", T0 + timedelta(minutes=30)),
    )
    context = spaced.context()
    publish(context, first)
    spaced.clock.set(T0 + timedelta(minutes=10))
    slot = T0 + timedelta(minutes=30)
    assert publish(context, waiting).due_at == slot  # deferred to the next slot

    spaced.clock.set(slot)
    yielded = publish(context, on_time)  # its job happens to run first
    assert yielded.kind == "again" and yielded.due_at is not None
    assert slot < yielded.due_at <= slot + timedelta(seconds=1)
    assert publish(context, waiting).kind == "done"
    assert spaced.publication(waiting).state == State.PUBLISHED
    spaced.clock.set(yielded.due_at)
    assert publish(context, on_time).due_at == slot + timedelta(minutes=30)  # the next slot
    assert spaced.publication(on_time).state == State.PENDING


def test_an_older_post_whose_job_never_runs_holds_the_slot_one_second_at_most(
    spaced: WorkerWorld,
) -> None:
    _, on_time = spaced.queue.add(
        resolved("stuck", T0), resolved("on-time", T0 + timedelta(seconds=1))
    )
    context = spaced.context()
    spaced.clock.set(T0 + timedelta(seconds=1))
    outcome = publish(context, on_time)  # "stuck" is due and older: it yields
    assert outcome.kind == "again" and outcome.due_at is not None
    while outcome.kind == "again" and outcome.due_at is not None:
        spaced.clock.set(outcome.due_at)
        outcome = publish(context, on_time)
    assert spaced.publication(on_time).state == State.PUBLISHED
    assert spaced.clock.now() <= T0 + timedelta(seconds=2.1)  # the window, in short steps


def test_a_campaign_pause_holds_every_account(world: WorkerWorld) -> None:
    from scheduler.storage.actions import pause, resume

    (pid,) = world.queue.add(resolved("a", T0))
    pause(world.sessions, reason="statement under review", now=T0, actor="test")
    context = world.context()
    outcome = publish(context, pid)
    assert outcome.kind == "held" and "statement under review" in outcome.reason
    resume(world.sessions, now=T0, actor="test")
    publish(context, pid)
    assert world.publication(pid).state == State.PUBLISHED


def test_only_one_of_two_racing_workers_claims(world: WorkerWorld) -> None:
    import threading

    ids = world.queue.add(*(resolved(f"p{n}", T0) for n in range(10)))
    contexts = [world.context(worker_id=f"host:{n}:w") for n in range(3)]
    barrier = threading.Barrier(len(contexts))

    def work(context: object) -> None:
        barrier.wait()
        for pid in ids:
            publish(context, pid)  # type: ignore[arg-type]

    threads = [threading.Thread(target=work, args=(c,)) for c in contexts]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert world.platform.count("x-main") == 10
    with world.sessions() as session:
        from scheduler.storage.models import Attempt

        assert session.scalar(select(Attempt.id).where(Attempt.outcome != "published")) is None


def test_an_edit_synced_between_claim_and_publish_is_a_conflict_and_the_claimed_version_goes_out(
    world: WorkerWorld,
) -> None:
    from scheduler.daemon.worker import publish_claimed
    from scheduler.storage.claims import claim

    original = "Version one: join the treaty #StopClusterBombsNow"
    (pid,) = world.queue.add(resolved("edited", T0, text=original))
    context = world.context()
    result = claim(
        world.sessions,
        pid,
        worker_id=context.worker_id,
        now=T0,
        lease_until=context.lease_until(T0),
        policy=context.limits,
    )
    assert result.status == "claimed" and result.claim is not None

    world.queue.posts["edited"] = resolved("edited", T0, text="Version two #StopClusterBombsNow")
    diff = world.queue.sync()
    publish_claimed(context, result.claim)

    (entry,) = diff.conflicts
    assert entry.account == "x-main" and "edited after it was publishing" in entry.detail
    (post,) = world.platform.posts["x-main"]
    assert post.text == original
    row = world.publication(pid)
    assert row.state == State.PUBLISHED
    assert row.published_hash == resolved("edited", T0, text=original).content_hash


def test_an_auth_failure_is_logged_loudly(
    world: WorkerWorld, caplog: pytest.LogCaptureFixture
) -> None:
    (pid,) = world.queue.add(resolved("a", T0))
    world.platform.fail_next(
        "upload_media", lambda: AuthFailed("402 CreditsDepleted", http_status=402)
    )
    with caplog.at_level("ERROR"):
        publish(world.context(), pid)
    (record,) = [r for r in caplog.records if "ACCOUNT PAUSED" in r.getMessage()]
    assert "x-main" in record.getMessage() and "campaign accounts check" in record.getMessage()


def test_a_post_the_platform_stamped_ahead_of_our_clock_is_found_by_reconciliation(
    world: WorkerWorld,
) -> None:
    # The platform's clock runs 2 s ahead of ours: the post it stored before the
    # answer was lost is stamped after our "now". Settling it as not published
    # would send it twice.
    ahead = FrozenClock(T0 + timedelta(seconds=2))
    platform = MemoryPlatform(clock=ahead)
    (pid,) = world.queue.add(resolved("ahead", T0))
    platform.fail_next("create_post", lambda: UnknownOutcome("connection dropped"), applied=True)
    context = world.context()
    context.publishers = PublisherPool(
        world.config, lambda account: MemoryPublisher(account.label, platform)
    )

    publish(context, pid)

    row = world.publication(pid)
    assert row.state == State.PUBLISHED and row.platform_post_id is not None
    assert platform.count() == 1
